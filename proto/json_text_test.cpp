#include "proto/json_text.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

// A percent-decoded %FF in a request path reached dump() and threw; json_text never throws.
TEST(JsonText, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  const nlohmann::json j = {{"message", std::string("no such endpoint: GET /\xff")}};
  EXPECT_EQ(json_text(j), "{\"message\":\"no such endpoint: GET /\xef\xbf\xbd\"}");
  nlohmann::ordered_json o = {{"b", std::string("\xc3\x28")}, {"a", 1}};
  EXPECT_EQ(json_text(o), "{\"b\":\"\xef\xbf\xbd(\",\"a\":1}");
}

TEST(JsonText, IndentsWhenAsked) {
  EXPECT_EQ(json_text(nlohmann::json{{"a", 1}}, 2), "{\n  \"a\": 1\n}");
  EXPECT_EQ(json_text(nlohmann::json{{"a", "é"}}), "{\"a\":\"é\"}");
}

}  // namespace
}  // namespace bqb
