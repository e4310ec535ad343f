#include "daemon/oauth/token_exchange.h"

#include <gtest/gtest.h>

#include <boost/url/url.hpp>

#include <map>
#include <string>

namespace bqb::oauth {
namespace {

namespace urls = boost::urls;

constexpr std::string_view kWhere = "https://oauth2.googleapis.com/token";

// Secrets the tests put into requests and responses; no error message may contain one.
constexpr std::string_view kAccess = "ya29.a0AccessTokenNeverShown";
constexpr std::string_view kRefresh = "1//0gRefreshTokenNeverShown";
constexpr std::string_view kClientSecret = "GOCSPX-ClientSecretNeverShown";

OAuthClient client() {
  return OAuthClient{"123-abc.apps.googleusercontent.com", Secret(std::string(kClientSecret)),
                     std::string(kWhere)};
}

void expect_no_secret(const Error& e) {
  for (std::string_view s : {kAccess, kRefresh, kClientSecret}) {
    EXPECT_EQ(e.message.find(s), std::string::npos) << e.message;
    EXPECT_EQ(e.hint.find(s), std::string::npos) << e.hint;
  }
}

// Decodes a form body as a server does ('+' is a space).
std::map<std::string, std::string> form_of(const Secret& body) {
  std::map<std::string, std::string> out;
  urls::url u;
  u.set_encoded_query(body.reveal());  // throws on a malformed body: the test fails
  for (auto p : u.params()) EXPECT_TRUE(out.emplace(p.key, p.value).second) << "repeated " << p.key;
  return out;
}

TEST(TokenRequestBody, AuthorizationCodeGrant) {
  auto f = form_of(authorization_code_body(client(), Secret("4/0Ab+cd/ef=="),
                                           "http://127.0.0.1:41234/", Secret("v3rifier~._-")));
  EXPECT_EQ(f, (std::map<std::string, std::string>{
                   {"grant_type", "authorization_code"},
                   {"code", "4/0Ab+cd/ef=="},
                   {"client_id", "123-abc.apps.googleusercontent.com"},
                   {"client_secret", std::string(kClientSecret)},
                   {"redirect_uri", "http://127.0.0.1:41234/"},
                   {"code_verifier", "v3rifier~._-"},
               }));
}

TEST(TokenRequestBody, RefreshGrantWithAndWithoutScope) {
  auto f = form_of(refresh_body(client(), Secret(std::string(kRefresh))));
  EXPECT_EQ(f, (std::map<std::string, std::string>{
                   {"grant_type", "refresh_token"},
                   {"refresh_token", std::string(kRefresh)},
                   {"client_id", "123-abc.apps.googleusercontent.com"},
                   {"client_secret", std::string(kClientSecret)},
               }));
  ScopeSet ro = ScopeSet::from_list({"bigquery.readonly", "openid"}, "t").value();
  auto g = form_of(refresh_body(client(), Secret(std::string(kRefresh)), &ro));
  EXPECT_EQ(g["scope"], ro.space_separated());
  ScopeSet none;
  EXPECT_EQ(form_of(refresh_body(client(), Secret(std::string(kRefresh)), &none)).count("scope"),
            0u);
}

TEST(TokenRequestBody, SpacesArePlusAndPlusIsEscaped) {
  ScopeSet s = ScopeSet::from_list({"openid", "email"}, "t").value();
  std::string body = refresh_body(client(), Secret("a+b c"), &s).reveal();
  EXPECT_NE(body.find("refresh_token=a%2Bb+c"), std::string::npos) << body;
  EXPECT_NE(body.find("scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.email+openid"),
            std::string::npos)
      << body;
}

TEST(TokenResponse, ParsesGoogleSuccess) {
  auto r = parse_token_response(
      200,
      R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":3599,)"
      R"("refresh_token":"1//0gRefreshTokenNeverShown",)"
      R"("scope":"https://www.googleapis.com/auth/bigquery openid https://www.googleapis.com/auth/userinfo.email",)"
      R"("token_type":"Bearer","id_token":"h.p.s"})",
      Grant::authorization_code, kWhere);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->access_token.reveal(), kAccess);
  EXPECT_EQ(r->expires_in, std::chrono::seconds(3599));
  ASSERT_TRUE(r->refresh_token.has_value());
  EXPECT_EQ(r->refresh_token->reveal(), kRefresh);
  ASSERT_TRUE(r->scopes.has_value());
  EXPECT_EQ(*r->scopes, ScopeSet::from_list({"bigquery", "openid", "email"}, "t").value());
  ASSERT_TRUE(r->id_token.has_value());
  EXPECT_EQ(r->id_token->reveal(), "h.p.s");
}

TEST(TokenResponse, ExpiresInAsStringAndOptionalFieldsAbsent) {
  auto r = parse_token_response(200, R"({"access_token":"ya29.x","expires_in":"3600"})",
                                Grant::refresh_token, kWhere);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->expires_in, std::chrono::seconds(3600));
  EXPECT_FALSE(r->refresh_token.has_value());
  EXPECT_FALSE(r->scopes.has_value());
  EXPECT_FALSE(r->id_token.has_value());
  EXPECT_TRUE(parse_token_response(200,
                                   R"({"access_token":"a","expires_in":1,"token_type":"bearer"})",
                                   Grant::refresh_token, kWhere)
                  .has_value());
}

TEST(TokenResponse, MalformedSuccessIsUpstreamErrorNamingTheField) {
  struct Case {
    std::string_view body;
    std::string_view mentions;
  };
  for (
      auto c : {
          Case{R"({"expires_in":3599})", "access_token"},
          Case{R"({"access_token":"","expires_in":3599})", "access_token"},
          Case{R"({"access_token":42,"expires_in":3599})", "access_token"},
          Case{R"({"access_token":"ya29.a0AccessTokenNeverShown"})", "expires_in"},
          Case{R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":"soon"})",
               "expires_in"},
          Case{R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":0})", "expires_in"},
          Case{R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":-5})", "expires_in"},
          Case{R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":1e300})",
               "expires_in"},
          Case{
              R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":18446744073709551615})",
              "expires_in"},
          Case{R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":99999999999})",
               "expires_in"},
          Case{
              R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":3599,"token_type":"MAC"})",
              "token_type"},
          Case{
              R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":3599,"refresh_token":{}})",
              "refresh_token"},
          Case{R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":3599,"scope":7})",
               "scope"},
          Case{
              R"({"access_token":"ya29.a0AccessTokenNeverShown","expires_in":3599,"scope":"a\"b"})",
              "scope"},
          Case{R"(["ya29.a0AccessTokenNeverShown"])", "JSON object"},
          Case{R"(ya29.a0AccessTokenNeverShown)", "JSON object"},
          Case{"", "JSON object"},
      }) {
    auto r = parse_token_response(200, c.body, Grant::refresh_token, kWhere);
    ASSERT_FALSE(r.has_value()) << c.body;
    EXPECT_EQ(r.error().code, Errc::upstream_error) << c.body;
    EXPECT_NE(r.error().message.find(c.mentions), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(kWhere), std::string::npos) << r.error().message;
    expect_no_secret(r.error());
  }
}

TEST(TokenError, PermanentErrorsWithTheirReasons) {
  struct Case {
    int status;
    std::string_view body;
    std::string_view reason;
  };
  for (
      auto c : {
          Case{
              400,
              R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})",
              "revoked or expired"},
          Case{
              400,
              R"j({"error":"invalid_grant","error_description":"reauth related error (invalid_rapt)","error_subtype":"invalid_rapt"})j",
              "re-authentication required"},
          Case{400, R"({"error":"invalid_grant","error_subtype":"rapt_required"})",
               "re-authentication required"},
          Case{401,
               R"({"error":"invalid_client","error_description":"The OAuth client was deleted."})",
               "client deleted or secret wrong"},
          Case{401, R"({"error":"unauthorized_client","error_description":"Unauthorized"})",
               "token belongs to another client"},
      }) {
    TokenError e = classify_token_error(c.status, c.body);
    EXPECT_EQ(e.kind, TokenErrorKind::permanent) << c.body;
    EXPECT_EQ(e.reason, c.reason);
    EXPECT_EQ(e.http_status, c.status);

    auto r = parse_token_response(c.status, c.body, Grant::refresh_token, kWhere);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::needs_login);
    EXPECT_NE(r.error().message.find(c.reason), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().hint.find("bqbroker login"), std::string::npos);

    auto l = parse_token_response(c.status, c.body, Grant::authorization_code, kWhere);
    ASSERT_FALSE(l.has_value());
    EXPECT_EQ(l.error().code, Errc::login_failed);
  }
}

TEST(TokenError, TransientByStatusOrErrorCode) {
  for (auto [status, body] : std::initializer_list<std::pair<int, std::string_view>>{
           {500, ""},
           {502, "<html>Bad Gateway</html>"},
           {503, R"({"error":"server_error"})"},
           {429, R"({"error":"rate_limit_exceeded"})"},
           {408, ""},
           {400, R"({"error":"temporarily_unavailable"})"},
           {400, R"({"error":"internal_failure"})"},
           {200, R"({"error":"server_error"})"},
       }) {
    EXPECT_EQ(classify_token_error(status, body).kind, TokenErrorKind::transient) << body;
    auto r = parse_token_response(status, body, Grant::refresh_token, kWhere);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, Errc::upstream_unavailable) << body;
    EXPECT_NE(r.error().message.find(std::to_string(status)), std::string::npos);
  }
}

TEST(TokenError, OtherRequestErrors) {
  for (
      auto [status, body] : std::initializer_list<std::pair<int, std::string_view>>{
          {400,
           R"({"error":"invalid_request","error_description":"Missing required parameter: code"})"},
          {400, R"({"error":"invalid_scope"})"},
          {404, "Not Found"},
          {400, R"({"error":{"code":400,"message":"Bad","status":"INVALID_ARGUMENT"}})"},
      }) {
    EXPECT_EQ(classify_token_error(status, body).kind, TokenErrorKind::request) << body;
    auto r = parse_token_response(status, body, Grant::refresh_token, kWhere);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::upstream_error);
  }
  TokenError e = classify_token_error(
      400, R"({"error":"invalid_request","error_description":"Missing required parameter: code"})");
  EXPECT_EQ(e.error, "invalid_request");
  EXPECT_EQ(e.description, "Missing required parameter: code");
  EXPECT_EQ(classify_token_error(400, R"({"error":{"status":"INVALID_ARGUMENT"}})").error,
            "INVALID_ARGUMENT");
}

TEST(TokenError, GoogleDescriptionIsKeptButTokensInItAreRedacted) {
  auto r = parse_token_response(
      400,
      R"({"error":"invalid_grant","error_description":"Bad token 1//0gRefreshTokenNeverShown for GOCSPX-ClientSecretNeverShown ya29.a0AccessTokenNeverShown\n\u001b[31m"})",
      Grant::refresh_token, kWhere);
  ASSERT_FALSE(r.has_value());
  expect_no_secret(r.error());
  EXPECT_NE(r.error().message.find("Bad token [redacted]"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  EXPECT_EQ(r.error().message.find('\x1b'), std::string::npos);
}

TEST(TokenError, HugeDescriptionIsShortened) {
  std::string body =
      R"({"error":"invalid_request","error_description":")" + std::string(100000, 'x') + "\"}";
  auto r = parse_token_response(400, body, Grant::refresh_token, kWhere);
  ASSERT_FALSE(r.has_value());
  EXPECT_LT(r.error().message.size(), 1000u);
}

TEST(TokenError, NonJsonErrorBodyIsNotEchoed) {
  auto r = parse_token_response(502, "upstream said ya29.a0AccessTokenNeverShown",
                                Grant::refresh_token, kWhere);
  ASSERT_FALSE(r.has_value());
  expect_no_secret(r.error());
  EXPECT_EQ(r.error().message.find("upstream said"), std::string::npos);
}

}  // namespace
}  // namespace bqb::oauth
