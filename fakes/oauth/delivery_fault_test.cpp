// The delivery fields both fakes' faults share: parsed and applied by one piece of code.

#include "fakes/oauth/delivery_fault.h"

#include <gtest/gtest.h>

namespace bqb::fakes {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  auto f = parse_delivery_fault(j, "the fault");
  EXPECT_FALSE(f) << j.dump();
  return f ? std::string() : f.error().message;
}

TEST(DeliveryFault, ParsesEveryFieldAndLeavesTheOthers) {
  auto f = parse_delivery_fault({{"delay_ms", 250},
                                 {"cut", true},
                                 {"retry_after", 2},
                                 {"body", "<html>502</html>"},
                                 {"count", 3},
                                 {"status", 502},
                                 {"reason", "backendError"}},
                                "the fault");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->delay, std::chrono::milliseconds(250));
  EXPECT_TRUE(f->cut);
  EXPECT_FALSE(f->hang);
  EXPECT_FALSE(f->close);
  EXPECT_EQ(f->retry_after, 2);
  EXPECT_EQ(f->body, "<html>502</html>");
  EXPECT_EQ(f->count, 3);

  auto none = parse_delivery_fault(json::object(), "the fault");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->count, 1);
  EXPECT_EQ(none->delay, std::chrono::milliseconds(0));
  EXPECT_FALSE(none->body || none->retry_after || none->hang || none->close || none->cut);
}

TEST(DeliveryFault, RefusesWrongTypesAndValuesNamingTheField) {
  EXPECT_EQ(error_of(json::array()), "the fault must be an object");
  EXPECT_NE(error_of({{"hang", "yes"}}).find("'hang'"), std::string::npos);
  EXPECT_NE(error_of({{"body", 1}}).find("'body'"), std::string::npos);
  EXPECT_EQ(error_of({{"delay_ms", -1}}), "field 'delay_ms' in the fault must be 0..600000");
  EXPECT_EQ(error_of({{"delay_ms", 600001}}), "field 'delay_ms' in the fault must be 0..600000");
  EXPECT_EQ(error_of({{"count", 0}}), "field 'count' in the fault must be 1..1000000");
  EXPECT_EQ(error_of({{"count", 1000001}}), "field 'count' in the fault must be 1..1000000");
  EXPECT_TRUE(parse_delivery_fault({{"delay_ms", 600000}, {"count", 1000000}}, "the fault"));
}

TEST(DeliveryFault, AppliesToTheFakesAnswerKeepingItsStatus) {
  FakeResponse r;
  r.status = 502;
  r.headers.emplace_back("Cache-Control", "no-store");
  DeliveryFault cut;
  cut.delay = std::chrono::milliseconds(250);
  cut.cut = true;
  cut.retry_after = 2;
  cut.body = "<html>502</html>";
  apply(cut, r);
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.body, "<html>502</html>");
  EXPECT_EQ(r.content_type, "text/html; charset=UTF-8");
  using Header = std::pair<std::string, std::string>;
  EXPECT_EQ(r.headers, (std::vector<Header>{{"Cache-Control", "no-store"}, {"Retry-After", "2"}}));
  EXPECT_EQ(r.delay, std::chrono::milliseconds(250));
  EXPECT_TRUE(r.cut_mid_body);
  EXPECT_FALSE(r.close_without_answer);

  FakeResponse json_answer;
  json_answer.body = R"({"error":"x"})";
  DeliveryFault hang;
  hang.delay = std::chrono::milliseconds(5);
  hang.hang = true;
  hang.close = true;
  apply(hang, json_answer);
  EXPECT_EQ(json_answer.body, R"({"error":"x"})");  // no raw body: the fake's own stays
  EXPECT_EQ(json_answer.content_type, "application/json; charset=utf-8");
  EXPECT_TRUE(json_answer.headers.empty());
  EXPECT_EQ(json_answer.delay, kHang);  // a hang overrides the delay
  EXPECT_TRUE(json_answer.close_without_answer);
  EXPECT_FALSE(json_answer.cut_mid_body);
}

}  // namespace
}  // namespace bqb::fakes
