#include "daemon/oauth/id_token.h"

#include <gtest/gtest.h>

#include <string>

#include "daemon/base/base64.h"

namespace bqb::oauth {
namespace {

constexpr std::string_view kWhere = "https://oauth2.googleapis.com/token";
constexpr std::string_view kSignature = "c2lnbmF0dXJlTmV2ZXJTaG93bg";

std::string jwt(std::string_view payload_json) {
  return base64url_encode(R"({"alg":"RS256","kid":"k","typ":"JWT"})") + "." +
         base64url_encode(payload_json) + "." + std::string(kSignature);
}

TEST(IdToken, ReadsEmailAndEmailVerified) {
  auto r = decode_id_token(
      jwt(R"({"iss":"https://accounts.google.com","sub":"1077","email":"ada@example.com","email_verified":true,"exp":1700000000})"),
      kWhere);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->email, "ada@example.com");
  EXPECT_EQ(r->email_verified, true);
}

TEST(IdToken, EmailVerifiedAsStringOrAbsent) {
  EXPECT_EQ(decode_id_token(jwt(R"({"email":"a@x.test","email_verified":"false"})"), kWhere)
                ->email_verified,
            false);
  EXPECT_FALSE(decode_id_token(jwt(R"({"email":"a@x.test"})"), kWhere)->email_verified.has_value());
  EXPECT_FALSE(
      decode_id_token(jwt(R"({"email":"a@x.test","email_verified":"yes"})"), kWhere).has_value());
}

TEST(IdToken, PayloadNeedsNoPaddingEvenWhenItsLengthWouldNeedIt) {
  for (std::string pad : {"", "x", "xx"}) {
    auto r = decode_id_token(jwt(R"({"email":"a@x.test","p":")" + pad + "\"}"), kWhere);
    ASSERT_TRUE(r.has_value()) << pad;
  }
}

TEST(IdToken, MalformedTokensAreErrorsThatDoNotQuoteThem) {
  std::string good_payload = base64url_encode(R"({"email":"a@x.test"})");
  for (std::string bad : {
           std::string(""),
           std::string("abc"),
           "a." + good_payload,
           "a." + good_payload + ".s.extra",
           "a.!!!." + std::string(kSignature),
           "a." + base64url_encode("not json") + "." + std::string(kSignature),
           "a." + base64url_encode("[1,2]") + "." + std::string(kSignature),
           jwt(R"({"sub":"1"})"),
           jwt(R"({"email":""})"),
           jwt(R"({"email":42})"),
           jwt(R"({"email":"no-at-sign"})"),
           jwt(R"({"email":"a b@x.test"})"),
           jwt(R"({"email":"a@x.test\n"})"),
           jwt(R"({"email":"../../a@x.test"})"),
           jwt(R"({"email":")" + std::string(300, 'a') + R"(@x.test"})"),
       }) {
    auto r = decode_id_token(bad, kWhere);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, Errc::upstream_error);
    EXPECT_NE(r.error().message.find(kWhere), std::string::npos);
    EXPECT_EQ(r.error().message.find(kSignature), std::string::npos);
    if (bad.size() > 8) {
      EXPECT_EQ(r.error().message.find(bad), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace bqb::oauth
