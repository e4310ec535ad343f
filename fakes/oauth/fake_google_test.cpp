// FakeGoogle driven through handle(), as the HTTP server drives it, with the clock in the test's
// hands.

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <boost/url/url.hpp>

#include "fakes/oauth/crypto.h"
#include "fakes/oauth/fake_google.h"
#include "fakes/oauth/pkce.h"

namespace bqb::fakes {
namespace {

using nlohmann::json;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kRedirect = "http://127.0.0.1:4242/";
const std::string kScopes = "openid email https://www.googleapis.com/auth/bigquery";

std::string encode(const Fields& fields) {
  boost::urls::url u;
  for (const auto& [k, v] : fields) u.params().append({k, v});
  return std::string(u.encoded_query());
}

json body_of(const FakeResponse& r) { return json::parse(r.body, nullptr, false); }

std::string header(const FakeResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

/// @returns the decoded query parameters of a redirect's Location.
Params location_params(const FakeResponse& r) {
  const std::string loc = header(r, "Location");
  auto p = parse_params(loc.substr(loc.find('?') + 1), "Location");
  return p ? *p : Params{};
}

json payload_of(const std::string& jwt) {
  const auto a = jwt.find('.');
  const auto b = jwt.find('.', a + 1);
  std::string part = jwt.substr(a + 1, b - a - 1);
  for (char& c : part) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (part.size() % 4 != 0) part.push_back('=');
  std::string out(part.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(part.data()),
                          static_cast<int>(part.size()));
  out.resize(static_cast<std::size_t>(std::max(n, 0)));
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return json::parse(out, nullptr, false);
}

class FakeGoogleTest : public ::testing::Test {
 protected:
  FakeGoogleTest() : fake_("http://127.0.0.1:1") {
    client_ = generate_client("cid.apps.googleusercontent.com", "proj");
    fake_.clients().put(client_);
    fake_.consent().email = "alice@example.com";
  }

  FakeResponse get(const std::string& target) {
    return fake_.handle({"GET", target, "", ""}, now_);
  }
  FakeResponse post_form(const std::string& target, const Fields& fields) {
    return fake_.handle({"POST", target, "application/x-www-form-urlencoded", encode(fields)},
                        now_);
  }
  FakeResponse post_json(const std::string& target, const json& body) {
    return fake_.handle({"POST", target, "application/json", body.dump()}, now_);
  }

  Fields auth_fields() const {
    return {{"response_type", "code"},
            {"client_id", client_.client_id},
            {"redirect_uri", std::string(kRedirect)},
            {"scope", kScopes},
            {"state", "st-1"},
            {"code_challenge", s256_challenge(verifier_)},
            {"code_challenge_method", "S256"},
            {"access_type", "offline"},
            {"prompt", "consent"}};
  }
  FakeResponse authorize(const Fields& fields) {
    return get("/o/oauth2/v2/auth?" + encode(fields));
  }

  /// @returns the code of a successful authorization.
  std::string code() {
    auto r = authorize(auth_fields());
    EXPECT_EQ(r.status, 302) << r.body;
    return std::string(param(location_params(r), "code"));
  }
  FakeResponse exchange(const std::string& code, const std::string& verifier,
                        const std::string& redirect = std::string(kRedirect)) {
    return post_form("/token", {{"grant_type", "authorization_code"},
                                {"code", code},
                                {"client_id", client_.client_id},
                                {"client_secret", client_.client_secret.reveal()},
                                {"redirect_uri", redirect},
                                {"code_verifier", verifier}});
  }
  FakeResponse refresh(const std::string& token, const std::string& scope = "") {
    Fields f = {{"grant_type", "refresh_token"},
                {"refresh_token", token},
                {"client_id", client_.client_id},
                {"client_secret", client_.client_secret.reveal()}};
    if (!scope.empty()) f.emplace_back("scope", scope);
    return post_form("/token", f);
  }
  /// @returns the refresh token of a full login.
  std::string login() {
    auto r = exchange(code(), verifier_);
    EXPECT_EQ(r.status, 200) << r.body;
    return body_of(r).value("refresh_token", "");
  }

  FakeGoogle fake_;
  Client client_;
  std::string verifier_ = random_urlsafe(40);
  Clock::time_point now_ = Clock::now();
};

TEST_F(FakeGoogleTest, AuthorizeRedirectsWithCodeStateAndScope) {
  auto r = authorize(auth_fields());
  ASSERT_EQ(r.status, 302) << r.body;
  const std::string loc = header(r, "Location");
  EXPECT_TRUE(loc.starts_with(std::string(kRedirect) + "?")) << loc;
  Params p = location_params(r);
  EXPECT_EQ(param(p, "state"), "st-1");
  EXPECT_TRUE(param(p, "code").starts_with("4/0"));
  EXPECT_EQ(param(p, "scope"),
            "openid https://www.googleapis.com/auth/userinfo.email "
            "https://www.googleapis.com/auth/bigquery");
}

TEST_F(FakeGoogleTest, CodeExchangeReturnsTokensAndIdToken) {
  auto r = exchange(code(), verifier_);
  ASSERT_EQ(r.status, 200) << r.body;
  json b = body_of(r);
  EXPECT_TRUE(b["access_token"].get<std::string>().starts_with("ya29.fake-"));
  EXPECT_TRUE(b["refresh_token"].get<std::string>().starts_with("1//fake-"));
  EXPECT_EQ(b["expires_in"], 3599);
  EXPECT_EQ(b["token_type"], "Bearer");
  json claims = payload_of(b["id_token"]);
  EXPECT_EQ(claims["email"], "alice@example.com");
  EXPECT_EQ(claims["aud"], client_.client_id);
  EXPECT_EQ(claims["iss"], "https://accounts.google.com");
  EXPECT_EQ(claims["email_verified"], true);

  auto info = get("/tokeninfo?access_token=" + b["access_token"].get<std::string>());
  ASSERT_EQ(info.status, 200);
  EXPECT_EQ(body_of(info)["email"], "alice@example.com");
  EXPECT_EQ(body_of(info)["expires_in"], "3599");
}

TEST_F(FakeGoogleTest, CodeIsSingleUse) {
  const std::string c = code();
  EXPECT_EQ(exchange(c, verifier_).status, 200);
  auto again = exchange(c, verifier_);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(body_of(again)["error"], "invalid_grant");
}

TEST_F(FakeGoogleTest, WrongVerifierIsInvalidGrantAndSpendsTheCode) {
  const std::string c = code();
  auto wrong = exchange(c, random_urlsafe(40));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(body_of(wrong)["error"], "invalid_grant");
  EXPECT_EQ(body_of(exchange(c, verifier_))["error"], "invalid_grant");
}

TEST_F(FakeGoogleTest, RedirectUriMustBeByteIdentical) {
  auto r = exchange(code(), verifier_, "http://127.0.0.1:4242");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["error"], "redirect_uri_mismatch");
}

TEST_F(FakeGoogleTest, CodeExpiresAfterTenMinutes) {
  const std::string c = code();
  now_ += std::chrono::seconds(601);
  EXPECT_EQ(body_of(exchange(c, verifier_))["error"], "invalid_grant");
}

TEST_F(FakeGoogleTest, ClientAuthentication) {
  const std::string c = code();
  auto r = post_form("/token", {{"grant_type", "authorization_code"},
                                {"code", c},
                                {"client_id", client_.client_id},
                                {"client_secret", "GOCSPX-wrong"},
                                {"redirect_uri", std::string(kRedirect)},
                                {"code_verifier", verifier_}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(body_of(r)["error"], "invalid_client");
  // The code survives a request that failed client authentication.
  EXPECT_EQ(exchange(c, verifier_).status, 200);
  fake_.clients().remove(client_.client_id);
  EXPECT_EQ(refresh("1//whatever").status, 401);
}

TEST_F(FakeGoogleTest, TokenEndpointWantsAForm) {
  auto r = fake_.handle({"POST", "/token", "application/json", "{}"}, now_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["error"], "invalid_request");
  EXPECT_EQ(get("/token").status, 405);
}

TEST_F(FakeGoogleTest, RefreshNarrowsScopesToASubset) {
  const std::string rt = login();
  auto r = refresh(rt, "email");
  ASSERT_EQ(r.status, 200) << r.body;
  json b = body_of(r);
  EXPECT_FALSE(b.contains("refresh_token"));
  EXPECT_EQ(b["scope"], "https://www.googleapis.com/auth/userinfo.email");
  auto info = body_of(get("/tokeninfo?access_token=" + b["access_token"].get<std::string>()));
  EXPECT_EQ(info["scope"], "https://www.googleapis.com/auth/userinfo.email");

  auto full = body_of(refresh(rt));
  EXPECT_EQ(full["scope"],
            "openid https://www.googleapis.com/auth/userinfo.email "
            "https://www.googleapis.com/auth/bigquery");
}

TEST_F(FakeGoogleTest, RefreshWithScopeBeyondTheGrantIsInvalidScope) {
  auto r = refresh(login(), "https://www.googleapis.com/auth/cloud-platform");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["error"], "invalid_scope");
}

TEST_F(FakeGoogleTest, RefreshTokenOfAnotherClientIsUnauthorizedClient) {
  const std::string rt = login();
  Client other = generate_client("other", "proj");
  fake_.clients().put(other);
  auto r = post_form("/token", {{"grant_type", "refresh_token"},
                                {"refresh_token", rt},
                                {"client_id", other.client_id},
                                {"client_secret", other.client_secret.reveal()}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(body_of(r)["error"], "unauthorized_client");
}

TEST_F(FakeGoogleTest, RevokeKillsTheRefreshTokenAndItsAccessTokens) {
  const std::string rt = login();
  const std::string at = body_of(refresh(rt))["access_token"];
  EXPECT_EQ(post_form("/revoke", {{"token", rt}}).status, 200);
  EXPECT_EQ(body_of(refresh(rt))["error"], "invalid_grant");
  EXPECT_EQ(get("/tokeninfo?access_token=" + at).status, 400);
  EXPECT_EQ(get("/revoke?token=" + rt).status, 405);
  EXPECT_EQ(fake_.handle({"POST", "/revoke?token=" + rt, "", ""}, now_).status, 400);
}

TEST_F(FakeGoogleTest, DeniedConsentRedirectsWithAccessDenied) {
  ASSERT_EQ(post_json("/_fake/consent", {{"mode", "deny"}}).status, 200);
  auto r = authorize(auth_fields());
  ASSERT_EQ(r.status, 302);
  Params p = location_params(r);
  EXPECT_EQ(param(p, "error"), "access_denied");
  EXPECT_EQ(param(p, "state"), "st-1");
  EXPECT_EQ(param(p, "code"), "");
}

TEST_F(FakeGoogleTest, AuthorizeChecksWhatGoogleChecks) {
  auto with = [&](std::string_view key, std::string value) {
    Fields f = auth_fields();
    for (auto& [k, v] : f) {
      if (k == key) v = value;
    }
    return authorize(f);
  };
  auto error_of = [](const FakeResponse& r) { return body_of(r).value("error", ""); };
  EXPECT_EQ(error_of(with("client_id", "unknown")), "invalid_client");
  EXPECT_EQ(error_of(with("redirect_uri", "http://example.com:4242/")), "redirect_uri_mismatch");
  EXPECT_EQ(error_of(with("redirect_uri", "https://127.0.0.1:4242/")), "redirect_uri_mismatch");
  EXPECT_EQ(with("redirect_uri", "http://[::1]:9/cb").status, 302);
  EXPECT_EQ(with("redirect_uri", "http://localhost:9").status, 302);
  EXPECT_EQ(error_of(with("response_type", "token")), "unsupported_response_type");
  EXPECT_EQ(error_of(with("scope", "")), "invalid_request");
  EXPECT_EQ(error_of(with("scope", "openid bigquery")), "invalid_scope");
  EXPECT_EQ(error_of(with("state", "")), "invalid_request");
  EXPECT_EQ(error_of(with("code_challenge", "")), "invalid_request");
  EXPECT_EQ(error_of(with("code_challenge_method", "plain")), "invalid_request");
  EXPECT_EQ(authorize(auth_fields()).status, 302);
}

TEST_F(FakeGoogleTest, RefreshTokenOnlyForOfflineAccessOrRenewedConsent) {
  Fields online = auth_fields();
  std::erase_if(online, [](const auto& kv) { return kv.first == "access_type"; });
  auto r = authorize(online);
  auto b = body_of(exchange(std::string(param(location_params(r), "code")), verifier_));
  EXPECT_FALSE(b.contains("refresh_token"));

  EXPECT_FALSE(login().empty());  // first offline consent
  Fields again = auth_fields();
  std::erase_if(again, [](const auto& kv) { return kv.first == "prompt"; });
  r = authorize(again);
  b = body_of(exchange(std::string(param(location_params(r), "code")), verifier_));
  EXPECT_EQ(b["access_token"].is_string(), true);
  EXPECT_FALSE(b.contains("refresh_token"));
}

TEST_F(FakeGoogleTest, QueuedFaultsAnswerTheNextMatchingRequests) {
  const std::string rt = login();
  auto q = post_json("/_fake/faults",
                     {{"faults",
                       {{{"status", 503}, {"count", 2}, {"grant_type", "refresh_token"}},
                        {{"error", "invalid_grant"}}}}});
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(body_of(q)["pending"], 3);
  EXPECT_EQ(refresh(rt).status, 503);
  EXPECT_EQ(refresh(rt).status, 503);
  auto third = refresh(rt);
  EXPECT_EQ(third.status, 400);
  EXPECT_EQ(body_of(third)["error"], "invalid_grant");
  EXPECT_EQ(refresh(rt).status, 200);  // the injected invalid_grant did not revoke anything

  json stats = body_of(get("/_fake/stats"));
  EXPECT_EQ(stats["token_requests"]["by_grant_type"]["refresh_token"], 4);
  EXPECT_EQ(stats["token_requests"]["by_grant_type"]["authorization_code"], 1);
  EXPECT_EQ(stats["token_requests"]["faulted"], 3);
}

TEST_F(FakeGoogleTest, DelayAndCloseFaults) {
  const std::string rt = login();
  ASSERT_EQ(post_json("/_fake/faults", {{"delay_ms", 250}}).status, 200);
  auto slow = refresh(rt);
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(slow.delay, std::chrono::milliseconds(250));
  ASSERT_EQ(post_json("/_fake/faults", {{"hang", true}}).status, 200);
  EXPECT_EQ(refresh(rt).delay, kHang);
  ASSERT_EQ(post_json("/_fake/faults", {{"close", true}}).status, 200);
  EXPECT_TRUE(refresh(rt).close_without_answer);
  // A cut alone cuts the normally processed answer; with a status, the fault's answer.
  ASSERT_EQ(post_json("/_fake/faults", {{"cut", true}}).status, 200);
  auto cut = refresh(rt);
  EXPECT_EQ(cut.status, 200);
  EXPECT_TRUE(cut.cut_mid_body);
  ASSERT_EQ(post_json("/_fake/faults", {{"cut", true}, {"status", 500}}).status, 200);
  cut = refresh(rt);
  EXPECT_EQ(cut.status, 500);
  EXPECT_TRUE(cut.cut_mid_body);
  EXPECT_FALSE(refresh(rt).cut_mid_body);
  EXPECT_EQ(post_json("/_fake/faults", {{"count", 2}}).status, 400);  // a fault doing nothing
}

TEST_F(FakeGoogleTest, StatsMaskSecrets) {
  const std::string rt = login();
  ASSERT_EQ(refresh(rt, "openid").status, 200);
  const auto r = get("/_fake/stats");
  json last = body_of(r)["last_token_request"];
  EXPECT_EQ(last["form"]["scope"], "openid");
  EXPECT_EQ(last["form"]["refresh_token"], secret_fingerprint(rt));
  EXPECT_EQ(last["form"]["client_secret"], secret_fingerprint(client_.client_secret.reveal()));
  EXPECT_EQ(r.body.find(rt), std::string::npos);
  EXPECT_EQ(r.body.find(client_.client_secret.reveal()), std::string::npos);
}

TEST_F(FakeGoogleTest, ControlExpiresAndRevokesGrants) {
  const std::string rt = login();
  auto tokens = body_of(get("/_fake/tokens"));
  ASSERT_EQ(tokens["refresh_tokens"].size(), 1u);
  EXPECT_EQ(tokens["refresh_tokens"][0]["refresh_token"], rt);
  EXPECT_EQ(tokens["access_tokens"].size(), 1u);

  auto n = post_json("/_fake/refresh_tokens/expire", {{"email", "alice@example.com"}});
  EXPECT_EQ(body_of(n)["count"], 1);
  EXPECT_EQ(body_of(refresh(rt))["error"], "invalid_grant");
  EXPECT_EQ(
      body_of(post_json("/_fake/refresh_tokens/revoke", {{"email", "bob@example.com"}}))["count"],
      0);
}

TEST_F(FakeGoogleTest, ClockAdvanceExpiresAccessTokens) {
  const std::string at = body_of(refresh(login()))["access_token"];
  EXPECT_EQ(get("/tokeninfo?access_token=" + at).status, 200);
  ASSERT_NE(fake_.live_access_token(at, now_), nullptr);
  EXPECT_EQ(fake_.live_access_token(at, now_)->email, "alice@example.com");
  ASSERT_EQ(post_json("/_fake/clock", {{"advance_seconds", 3600}}).status, 200);
  EXPECT_EQ(get("/tokeninfo?access_token=" + at).status, 400);
  EXPECT_EQ(fake_.live_access_token(at, now_), nullptr);
  EXPECT_EQ(fake_.live_access_token("ya29.unknown", now_), nullptr);
}

TEST_F(FakeGoogleTest, ExpiresInCanBeAString) {
  ASSERT_EQ(
      post_json("/_fake/settings", {{"expires_in", 120}, {"expires_in_as_string", true}}).status,
      200);
  EXPECT_EQ(body_of(refresh(login()))["expires_in"], "120");
}

TEST_F(FakeGoogleTest, ClientsThroughTheControlApi) {
  auto r = post_json("/_fake/clients", {{"client_id", "second"}});
  ASSERT_EQ(r.status, 200);
  json secrets = body_of(r)["installed"];
  EXPECT_EQ(secrets["token_uri"], "http://127.0.0.1:1/token");
  EXPECT_EQ(secrets["redirect_uris"][0], "http://localhost");
  EXPECT_NE(fake_.clients().find("second"), nullptr);
  EXPECT_EQ(body_of(get("/_fake/clients/second/client_secrets.json")), body_of(r));
  EXPECT_EQ(fake_.handle({"DELETE", "/_fake/clients/second", "", ""}, now_).status, 200);
  EXPECT_EQ(fake_.clients().find("second"), nullptr);
}

TEST_F(FakeGoogleTest, GarbageNeverThrows) {
  const std::vector<std::string> targets = {"",
                                            "*",
                                            "http://x/",
                                            "/%zz",
                                            "/token?%",
                                            "/_fake/",
                                            "/o/oauth2/v2/auth?&&&=&a",
                                            "/tokeninfo?access_token"};
  const std::vector<std::string> bodies = {"",
                                           "{",
                                           "[1]",
                                           "a=%",
                                           "grant_type=refresh_token",
                                           "\xff\xfe",
                                           "{\"faults\": 3}",
                                           "{\"mode\": 1}"};
  for (const auto& t : targets) {
    for (const auto& b : bodies) {
      for (const char* m : {"GET", "POST", "DELETE"}) {
        for (const char* ct : {"application/x-www-form-urlencoded", "application/json"}) {
          FakeResponse r;
          EXPECT_NO_THROW(r = fake_.handle({m, t, ct, b}, now_)) << m << " " << t << " " << b;
          EXPECT_GE(r.status, 200);
        }
      }
    }
  }
  for (const char* p : {"/_fake/consent", "/_fake/settings", "/_fake/faults", "/_fake/clock",
                        "/_fake/clients", "/_fake/refresh_tokens/revoke"}) {
    for (const auto& b : bodies) {
      EXPECT_NO_THROW(fake_.handle({"POST", p, "application/json", b}, now_)) << p << " " << b;
    }
  }
}

}  // namespace
}  // namespace bqb::fakes
