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

}  // namespace
}  // namespace bqb
