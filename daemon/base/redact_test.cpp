#include "daemon/base/redact.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

TEST(RedactTokenShapes, RemovesGoogleTokenShapes) {
  EXPECT_EQ(redact_token_shapes("token ya29.a0AfB_byC-xyz123456 expires"), "token [redacted] expires");
  EXPECT_EQ(redact_token_shapes("rt=1//0gLxyzABCDEFGH-ij&x=1"), "rt=[redacted]&x=1");
  EXPECT_EQ(redact_token_shapes("code 4/0AfJohXyz12345678"), "code [redacted]");
  EXPECT_EQ(redact_token_shapes("secret GOCSPX-abcdefgh12345"), "secret [redacted]");
  EXPECT_EQ(redact_token_shapes("Authorization: Bearer abcdefgh.ijk"),
            "Authorization: Bearer [redacted]");
}

TEST(RedactTokenShapes, LeavesOrdinaryTextAlone) {
  for (std::string_view s : {"see https://x.test/1//", "version 1//2", "path /a/4/0/b",
                             "ya29. short", "", "plain words only"}) {
    EXPECT_EQ(redact_token_shapes(s), s);
  }
}

TEST(Redactor, RemovesRememberedSecretsWhateverTheirShape) {
  Redactor r;
  r.remember("s3cr3t-value-xyz");
  r.remember("short");  // ignored: too short to be a secret rather than a word
  EXPECT_EQ(r.apply("a s3cr3t-value-xyz b s3cr3t-value-xyz short"),
            "a [redacted] b [redacted] short");
}

TEST(Redactor, IsBoundedAndForgetsTheLeastRecentlyRemembered) {
  Redactor r(3);
  r.remember("secret-one-aaaa");
  r.remember("secret-two-bbbb");
  r.remember("secret-three-cc");
  r.remember("secret-one-aaaa");  // used again: the most recent now
  r.remember("secret-four-ddd");  // evicts secret-two, the least recent
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.apply("secret-one-aaaa secret-two-bbbb secret-three-cc secret-four-ddd"),
            "[redacted] secret-two-bbbb [redacted] [redacted]");
}

TEST(Redactor, ADaemonRefreshingForMonthsStaysAtItsCapacity) {
  Redactor r;
  // A year of hourly access tokens for three accounts.
  for (int i = 0; i < 3 * 24 * 365; ++i) r.remember("access-token-" + std::to_string(i));
  EXPECT_EQ(r.size(), Redactor::kDefaultCapacity);
  EXPECT_EQ(r.apply("access-token-26279"), "[redacted]");  // the newest is still known
}

}  // namespace
}  // namespace bqb
