#include <gtest/gtest.h>

#include "fakes/oauth/params.h"
#include "fakes/oauth/pkce.h"
#include "fakes/oauth/scopes.h"

namespace bqb::fakes {
namespace {

// RFC 7636 Appendix B.
constexpr std::string_view kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(Pkce, S256MatchesTheRfcExample) {
  EXPECT_EQ(s256_challenge(kVerifier), kChallenge);
  EXPECT_TRUE(verify_s256(kVerifier, kChallenge));
}

TEST(Pkce, RejectsAnotherVerifierAndPlain) {
  std::string other(kVerifier);
  other.back() = '5';
  EXPECT_FALSE(verify_s256(other, kChallenge));
  // "plain" (verifier == challenge) must not pass the S256 check.
  EXPECT_FALSE(verify_s256(kChallenge, kChallenge));
}

TEST(Pkce, VerifierShape) {
  EXPECT_TRUE(is_pkce_string(std::string(43, 'a')));
  EXPECT_TRUE(is_pkce_string(std::string(128, '~')));
  EXPECT_FALSE(is_pkce_string(std::string(42, 'a')));
  EXPECT_FALSE(is_pkce_string(std::string(129, 'a')));
  EXPECT_FALSE(is_pkce_string(std::string(42, 'a') + "+"));
  // A short verifier fails even when its challenge is right.
  EXPECT_FALSE(verify_s256("short", s256_challenge("short")));
}

TEST(Scopes, ParseNormalisesAliasesAndDropsDuplicates) {
  auto s = parse_scopes("openid  email https://www.googleapis.com/auth/userinfo.email profile");
  EXPECT_EQ(s, (ScopeList{"openid", "https://www.googleapis.com/auth/userinfo.email",
                          "https://www.googleapis.com/auth/userinfo.profile"}));
  EXPECT_EQ(join_scopes(s),
            "openid https://www.googleapis.com/auth/userinfo.email "
            "https://www.googleapis.com/auth/userinfo.profile");
}

TEST(Scopes, SubsetComparesAfterNormalising) {
  ScopeList granted = parse_scopes("https://www.googleapis.com/auth/bigquery email openid");
  EXPECT_TRUE(missing_scopes(parse_scopes("email"), granted).empty());
  EXPECT_TRUE(missing_scopes({}, granted).empty());
  EXPECT_EQ(missing_scopes(parse_scopes("openid https://www.googleapis.com/auth/bigquery.readonly"),
                           granted),
            (ScopeList{"https://www.googleapis.com/auth/bigquery.readonly"}));
}

TEST(Scopes, KnownScopes) {
  EXPECT_TRUE(is_known_scope("openid"));
  EXPECT_TRUE(is_known_scope("https://www.googleapis.com/auth/bigquery"));
  EXPECT_FALSE(is_known_scope("bigquery"));
  EXPECT_FALSE(is_known_scope("https://www.googleapis.com/auth/"));
}

TEST(Params, DecodesPlusAndPercent) {
  auto p = parse_params("scope=a+b%20c&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2F&empty=", "q");
  ASSERT_TRUE(p) << p.error().description;
  EXPECT_EQ(param(*p, "scope"), "a b c");
  EXPECT_EQ(param(*p, "redirect_uri"), "http://127.0.0.1:5/");
  EXPECT_EQ(param(*p, "empty"), "");
  EXPECT_EQ(param(*p, "absent"), "");
}

TEST(Params, RepeatedParameterIsInvalidRequest) {
  auto p = parse_params("code=a&code=b", "the token request body");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().error, "invalid_request");
  EXPECT_NE(p.error().description.find("'code'"), std::string::npos);
}

TEST(Params, BadPercentEncodingIsInvalidRequest) {
  auto p = parse_params("code=%zz", "body");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().status, 400);
}

TEST(Params, FormContentType) {
  EXPECT_TRUE(is_form_content_type("application/x-www-form-urlencoded"));
  EXPECT_TRUE(is_form_content_type("Application/X-WWW-Form-Urlencoded; charset=UTF-8"));
  EXPECT_FALSE(is_form_content_type("application/json"));
  EXPECT_FALSE(is_form_content_type(""));
}

}  // namespace
}  // namespace bqb::fakes
