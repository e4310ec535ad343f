#include "daemon/oauth/auth_request.h"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <map>
#include <string>

namespace bqb::oauth {
namespace {

namespace urls = boost::urls;

AuthRequest request() {
  AuthRequest r;
  r.auth_uri = "https://accounts.google.com/o/oauth2/auth";
  r.client_id = "123-abc.apps.googleusercontent.com";
  r.redirect_uri = "http://127.0.0.1:41234/";
  r.scopes = login_scopes({"cloud-platform"}, false).value();
  r.state = Secret("st4te+with/odd=chars&more");
  r.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  return r;
}

// Parses the URL back with Boost.URL, decoding as a form/query decoder does ('+' is a space).
std::multimap<std::string, std::string> query_of(const std::string& url) {
  std::multimap<std::string, std::string> out;
  auto u = urls::parse_absolute_uri(url);
  EXPECT_TRUE(u.has_value()) << url;
  for (auto p : u->params()) out.emplace(p.key, p.value);
  return out;
}

TEST(AuthUrl, CarriesEveryParameterOfTheInstalledAppFlow) {
  auto url = build_auth_url(request());
  ASSERT_TRUE(url.has_value()) << url.error().message;
  auto u = urls::parse_absolute_uri(*url).value();
  EXPECT_EQ(u.scheme(), "https");
  EXPECT_EQ(u.encoded_host(), "accounts.google.com");
  EXPECT_EQ(u.encoded_path(), "/o/oauth2/auth");

  auto q = query_of(*url);
  auto one = [&](const std::string& k) {
    EXPECT_EQ(q.count(k), 1u) << k;
    auto it = q.find(k);
    return it == q.end() ? std::string() : it->second;
  };
  EXPECT_EQ(one("response_type"), "code");
  EXPECT_EQ(one("client_id"), "123-abc.apps.googleusercontent.com");
  EXPECT_EQ(one("redirect_uri"), "http://127.0.0.1:41234/");
  EXPECT_EQ(ScopeSet::parse_space_separated(one("scope"), "url").value(), request().scopes);
  EXPECT_EQ(one("state"), "st4te+with/odd=chars&more");  // '+' survived: it was escaped
  EXPECT_EQ(one("code_challenge"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ(one("code_challenge_method"), "S256");
  EXPECT_EQ(one("access_type"), "offline");
  EXPECT_EQ(one("prompt"), "consent");
  EXPECT_EQ(one("include_granted_scopes"), "true");
  EXPECT_EQ(q.count("login_hint"), 0u);
  EXPECT_EQ(q.size(), 10u);
}

TEST(AuthUrl, ScopesAreSpaceSeparatedAsPercentTwenty) {
  auto url = build_auth_url(request()).value();
  EXPECT_NE(url.find("scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fbigquery%20"),
            std::string::npos)
      << url;
}

TEST(AuthUrl, LoginHintWhenGiven) {
  AuthRequest r = request();
  r.login_hint = "user+tag@example.com";
  auto q = query_of(build_auth_url(r).value());
  ASSERT_EQ(q.count("login_hint"), 1u);
  EXPECT_EQ(q.find("login_hint")->second, "user+tag@example.com");
}

TEST(AuthUrl, KeepsAQueryAlreadyInAuthUri) {
  AuthRequest r = request();
  r.auth_uri = "http://127.0.0.1:8080/authorize?tenant=t1";
  auto q = query_of(build_auth_url(r).value());
  EXPECT_EQ(q.find("tenant")->second, "t1");
  EXPECT_EQ(q.find("response_type")->second, "code");
}

TEST(AuthUrl, RejectsBadAuthUriAndEmptyFields) {
  AuthRequest r = request();
  for (std::string_view bad :
       {"accounts.google.com/auth", "https://a.test/auth#frag", "mailto:x@y.test", ""}) {
    r.auth_uri = bad;
    auto url = build_auth_url(r);
    ASSERT_FALSE(url.has_value()) << bad;
    EXPECT_EQ(url.error().code, Errc::bad_request);
    EXPECT_NE(url.error().message.find("auth_uri"), std::string::npos);
  }
  r = request();
  r.state = Secret();
  EXPECT_NE(build_auth_url(r).error().message.find("state"), std::string::npos);
  r = request();
  r.client_id.clear();
  EXPECT_NE(build_auth_url(r).error().message.find("client_id"), std::string::npos);
  r = request();
  r.scopes = ScopeSet();
  EXPECT_NE(build_auth_url(r).error().message.find("scopes"), std::string::npos);
}

}  // namespace
}  // namespace bqb::oauth
