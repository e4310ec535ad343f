#include "daemon/base/foreign_text.h"

#include <gtest/gtest.h>

#include <string>

namespace bqb {
namespace {

TEST(SanitizeForeignText, RedactsTokensAndControlCharacters) {
  EXPECT_EQ(sanitize_foreign_text("token ya29.a0AfB_byC-xyz123456\r\nnext\x1b[0m"),
            "token [redacted]  next [0m");
  EXPECT_EQ(sanitize_foreign_text("Token has been expired or revoked."),
            "Token has been expired or revoked.");
}

TEST(SanitizeForeignText, CutsLongTextAtACharacterBoundary) {
  EXPECT_EQ(sanitize_foreign_text(std::string(500, 'x'), 10), std::string(10, 'x') + "…");
  // "é" is two bytes; a cut after 3 bytes would split the second one.
  EXPECT_EQ(sanitize_foreign_text("ééé", 3), "é…");
  EXPECT_EQ(sanitize_foreign_text("abc", 3), "abc");
}

}  // namespace
}  // namespace bqb
