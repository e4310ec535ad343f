#include "daemon/base/token_fingerprint.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

TEST(TokenFingerprint, IsTheFirstEightHexDigitsOfSha256) {
  // printf %s abc | sha256sum → ba7816bf…
  EXPECT_EQ(token_fingerprint(Secret("abc")), "ba7816bf");
  EXPECT_NE(token_fingerprint(Secret("ya29.one")), token_fingerprint(Secret("ya29.two")));
}

}  // namespace
}  // namespace bqb
