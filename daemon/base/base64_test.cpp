#include "daemon/base/base64.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "daemon/base/random.h"

namespace bqb {
namespace {

// RFC 4648 §10 test vectors.
TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, UrlAlphabetWithoutPadding) {
  const std::string bytes("\xfb\xff\xbf\x00\x01", 5);
  EXPECT_EQ(base64_encode(bytes), "+/+/AAE=");
  EXPECT_EQ(base64url_encode(bytes), "-_-_AAE");
  EXPECT_EQ(base64url_decode("-_-_AAE").value(), bytes);
  EXPECT_EQ(base64url_decode("-_-_AAE=").value(), bytes);  // padding tolerated
}

TEST(Base64, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 7) {
    std::string s = all.substr(0, n);
    EXPECT_EQ(base64url_decode(base64url_encode(s)).value(), s) << n;
  }
}

TEST(Base64, MalformedInputIsAnErrorValue) {
  for (std::string_view bad :
       {"Z", "Zm9v+", "Zm9v/", "Zg=x", "Zm9vY", "a b", "Zg===", "é", "Z===", "====", "Zm9v YmFy",
        " Zm9v", "Zm9v\n", "Zg==Zg==", "Z=g=", "\xff\xff\xff\xff"}) {
    auto r = base64url_decode(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, Errc::bad_request);
  }
}

TEST(Base64, ErrorsDoNotQuoteTheInput) {
  auto r = base64url_decode("secret-looking+value");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message.find("secret"), std::string::npos);
}

TEST(RandomToken, HasTheEncodedLengthAndUrlAlphabet) {
  auto t = random_token(32);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->reveal().size(), 43u);
  EXPECT_EQ(t->reveal().find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(base64url_decode(t->reveal()).value().size(), 32u);
}

TEST(RandomToken, DiffersEachTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(random_token(16).value().reveal());
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RandomToken, RefusesZeroBytes) { EXPECT_FALSE(random_token(0).has_value()); }

}  // namespace
}  // namespace bqb
