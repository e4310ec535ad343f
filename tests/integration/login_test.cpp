// The login flow with the real daemon and the fake Google (tests/support/fake_google.h): the test
// plays the browser (consent at the fake's authorization endpoint, then its 302 to the daemon's
// loopback listener) or the user pasting the redirect URL. Covers the full loopback login, the
// pasted URL, a state mismatch, denied consent, a reused code, the timeout, cancel, two accounts,
// and that no token, code or client secret reaches the daemon's log.

#include <gtest/gtest.h>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <nlohmann/json.hpp>

#include "proto/login_api.h"
#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;

Expected<HttpResponse> api(const DaemonProcess& d, std::string_view method, std::string_view target,
                           const json& body = nullptr) {
  return daemon_api(d, method, target, body);
}

/// @returns the `code` parameter of a redirect URL ("" when none).
std::string query_param(const std::string& url, std::string_view name) {
  auto u = boost::urls::parse_uri_reference(url);
  if (!u) return {};
  auto it = u->params().find(name);
  return it == u->params().end() ? std::string() : std::string((*it).value);
}

/// @returns `url` with its `name` parameter set to `value`.
std::string with_param(const std::string& url, std::string_view name, std::string_view value) {
  boost::urls::url u(url);
  u.params().set(name, value);
  return std::string(u.buffer());
}

class LoginTest : public ::testing::Test {
 protected:
  void start_daemon(std::string extra_config = {}) {
    DaemonOptions options;
    options.config = std::string(kTestConfig) + extra_config;
    daemon_.emplace(sandbox_, options);
    ASSERT_TRUE(daemon_->wait_ready());
  }

  /// POST /v1/login with the fake's client_secrets. Fails the test unless 201.
  api::LoginStarted start_login(json body = json::object()) {
    if (!body.contains("client_secrets")) body["client_secrets"] = fake_.client_secrets_json();
    auto r = api(*daemon_, "POST", "/v1/login", body);
    EXPECT_TRUE(r) << r.error();
    if (!r) return {};
    EXPECT_EQ(r->status, 201) << *r;
    auto started = api::parse_login_started(r->json());
    EXPECT_TRUE(started) << *r;
    return started ? *started : api::LoginStarted{};
  }

  api::LoginStatus login_status(const std::string& id, int wait_seconds) {
    auto r = api(*daemon_, "GET", "/v1/login/" + id + "?wait=" + std::to_string(wait_seconds));
    EXPECT_TRUE(r) << r.error();
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << *r;
    auto s = api::parse_login_status(r->json());
    EXPECT_TRUE(s) << *r;
    return s ? *s : api::LoginStatus{};
  }

  Expected<HttpResponse> paste(const std::string& id, const std::string& url) {
    return api(*daemon_, "POST", "/v1/login/" + id + "/redirect", json{{"url", url}});
  }

  std::vector<std::string> account_emails() {
    auto r = api(*daemon_, "GET", "/v1/accounts");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error());
    std::vector<std::string> out;
    if (r) {
      for (const auto& a : r->json().value("accounts", json::array())) out.push_back(a["email"]);
    }
    return out;
  }

  void TearDown() override {
    if (!daemon_) return;
    // Every token, code and the client secret stayed out of the log.
    auto secrets = fake_.issued_secrets();
    for (const auto& code : codes_) {
      if (!code.empty()) secrets.push_back(code);
    }
    EXPECT_TRUE(log_free_of(daemon_->log(), secrets));
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  std::optional<DaemonProcess> daemon_;
  std::vector<std::string> codes_;  // every authorization code the test saw
};

TEST_F(LoginTest, FullLoginThroughTheLoopbackListener) {
  start_daemon();
  fake_.consent("allow", "alice@example.com");
  auto started = start_login({{"scopes", {"cloud-platform"}}, {"login_hint", "alice@example.com"}});
  EXPECT_EQ(started.redirect_uri.rfind("http://127.0.0.1:", 0), 0u) << started.redirect_uri;
  EXPECT_EQ(started.expires_in, 300);
  // The authorization URL asks for an offline grant with consent, PKCE (S256), the hinted
  // account, a state and the requested scopes plus openid.
  auto auth = boost::urls::parse_absolute_uri(started.auth_url);
  ASSERT_TRUE(auth) << started.auth_url;
  std::map<std::string, std::string> q;
  for (auto p : auth->params()) q[p.key] = p.value;
  EXPECT_EQ(q["response_type"], "code");
  EXPECT_EQ(q["redirect_uri"], started.redirect_uri);
  EXPECT_EQ(q["code_challenge_method"], "S256");
  EXPECT_EQ(q["access_type"], "offline");
  EXPECT_EQ(q["prompt"], "consent");
  EXPECT_EQ(q["login_hint"], "alice@example.com");
  EXPECT_GE(q["state"].size(), 32u);
  EXPECT_NE(q["scope"].find("https://www.googleapis.com/auth/cloud-platform"), std::string::npos);
  EXPECT_NE(q["scope"].find("openid"), std::string::npos);

  // The browser: consent at the fake, then its redirect to the daemon's loopback listener.
  const std::string location = fake_.authorize(started.auth_url);
  ASSERT_EQ(location.rfind(started.redirect_uri, 0), 0u) << location;
  codes_.push_back(query_param(location, "code"));
  auto favicon =
      tcp_request(boost::urls::parse_uri(location)->port_number(), "GET", "/favicon.ico");
  ASSERT_TRUE(favicon) << favicon.error();
  EXPECT_EQ(favicon->status, 404);
  auto page = get_url(location);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->status, 200) << page->body;
  EXPECT_NE(page->body.find("alice@example.com"), std::string::npos) << page->body;
  EXPECT_EQ(page->body.find(codes_.back()), std::string::npos);

  auto status = login_status(started.login_id, 10);
  EXPECT_EQ(status.state, api::LoginState::done);
  EXPECT_EQ(status.account, "alice@example.com");
  EXPECT_EQ(account_emails(), std::vector<std::string>{"alice@example.com"});
  // The listener closed after the one good redirect.
  EXPECT_FALSE(get_url(location));
}

TEST_F(LoginTest, PastedRedirectUrlCompletesTheLogin) {
  start_daemon();
  fake_.consent("allow", "paste@example.com");
  auto started = start_login();
  const std::string location = fake_.authorize(started.auth_url);
  codes_.push_back(query_param(location, "code"));
  auto r = paste(started.login_id, "  " + location + "\n");
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->status, 200) << *r;
  auto status = api::parse_login_status(r->json());
  ASSERT_TRUE(status) << *r;
  EXPECT_EQ(status->state, api::LoginState::done);
  EXPECT_EQ(status->account, "paste@example.com");
  EXPECT_EQ(login_status(started.login_id, 0).state, api::LoginState::done);
}

TEST_F(LoginTest, StateMismatchIsRejectedAndTheLoginKeepsWaiting) {
  start_daemon();
  auto started = start_login();
  const std::string location = fake_.authorize(started.auth_url);
  codes_.push_back(query_param(location, "code"));
  const std::string forged = with_param(location, "state", "not-the-state-of-this-login");

  EXPECT_TRUE(is_api_error(paste(started.login_id, forged), 400, "bad_request"));
  auto page = get_url(forged);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->status, 400);
  EXPECT_EQ(login_status(started.login_id, 0).state, api::LoginState::pending);

  // The real redirect still completes it.
  auto done = get_url(location);
  ASSERT_TRUE(done) << done.error();
  EXPECT_EQ(done->status, 200) << done->body;
  EXPECT_EQ(login_status(started.login_id, 10).state, api::LoginState::done);
}

TEST_F(LoginTest, DeniedConsentFailsWithLoginDenied) {
  start_daemon();
  fake_.consent("deny");
  auto started = start_login();
  const std::string location = fake_.authorize(started.auth_url);
  EXPECT_EQ(query_param(location, "error"), "access_denied") << location;
  auto page = get_url(location);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->status, 403);
  auto status = login_status(started.login_id, 10);
  EXPECT_EQ(status.state, api::LoginState::failed);
  ASSERT_TRUE(status.error);
  EXPECT_EQ(status.error->code, Errc::login_denied);
  EXPECT_TRUE(account_emails().empty());
}

TEST_F(LoginTest, ReusedCodeIsRefusedByTheTokenEndpoint) {
  start_daemon();
  auto first = start_login();
  const std::string location = fake_.authorize(first.auth_url);
  const std::string code = query_param(location, "code");
  codes_.push_back(code);
  ASSERT_EQ(login_status(first.login_id, 0).state, api::LoginState::pending);
  ASSERT_TRUE(get_url(location));
  ASSERT_EQ(login_status(first.login_id, 10).state, api::LoginState::done);

  // A second login handed the spent code (with its own state, so the daemon exchanges it).
  auto second = start_login();
  const std::string state = query_param(second.auth_url, "state");
  std::string replay = second.redirect_uri + "?state=" + state + "&code=" + code;
  auto r = paste(second.login_id, replay);
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->status, 200) << *r;
  auto status = api::parse_login_status(r->json());
  ASSERT_TRUE(status) << *r;
  EXPECT_EQ(status->state, api::LoginState::failed);
  ASSERT_TRUE(status->error);
  EXPECT_EQ(status->error->code, Errc::login_failed);
  EXPECT_NE(status->error->message.find("already used"), std::string::npos)
      << status->error->message;
}

TEST_F(LoginTest, UnfinishedLoginTimesOut) {
  start_daemon("[oauth]\nlogin_timeout_seconds = 10\n");  // the smallest the config allows
  auto started = start_login();
  EXPECT_EQ(started.expires_in, 10);
  const auto port = boost::urls::parse_uri(started.redirect_uri)->port_number();
  auto status = login_status(started.login_id, 30);
  EXPECT_EQ(status.state, api::LoginState::failed);
  ASSERT_TRUE(status.error);
  EXPECT_EQ(status.error->code, Errc::login_timeout);
  // The listener is gone.
  EXPECT_FALSE(tcp_request(port, "GET", "/"));
}

TEST_F(LoginTest, CancelEndsTheLoginAndClosesTheListener) {
  start_daemon();
  auto started = start_login();
  const auto port = boost::urls::parse_uri(started.redirect_uri)->port_number();
  auto r = api(*daemon_, "DELETE", "/v1/login/" + started.login_id);
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->status, 200) << *r;
  auto status = api::parse_login_status(r->json());
  ASSERT_TRUE(status) << *r;
  EXPECT_EQ(status->state, api::LoginState::failed);
  EXPECT_NE(status->error->message.find("cancelled"), std::string::npos);
  EXPECT_FALSE(tcp_request(port, "GET", "/"));
}

TEST_F(LoginTest, TwoAccountsFromTheConfiguredClientSecrets) {
  start_daemon("client_secrets = \"" + fake_.client_secrets_file().string() + "\"\n");
  for (std::string email : {"one@example.com", "two@example.com"}) {
    fake_.consent("allow", email);
    auto r = api(*daemon_, "POST", "/v1/login", json::object());  // no client_secrets: config's
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->status, 201) << *r;
    auto started = api::parse_login_started(r->json());
    ASSERT_TRUE(started);
    const std::string location = fake_.authorize(started->auth_url);
    codes_.push_back(query_param(location, "code"));
    ASSERT_TRUE(get_url(location));
    auto status = login_status(started->login_id, 10);
    EXPECT_EQ(status.account, email);
  }
  EXPECT_EQ(account_emails(), (std::vector<std::string>{"one@example.com", "two@example.com"}));
}

TEST_F(LoginTest, RequestErrors) {
  start_daemon();
  // No client_secrets anywhere: a 400 that says what to pass.
  auto none = api(*daemon_, "POST", "/v1/login", json::object());
  ASSERT_TRUE(is_api_error(none, 400, "bad_request"));
  EXPECT_NE(none->json()["error"].value("hint", "").find("--client-secrets"), std::string::npos);
  // A "web" client is refused with a clear message.
  json web = {{"web", fake_.client_secrets_json()["installed"]}};
  EXPECT_TRUE(is_api_error(api(*daemon_, "POST", "/v1/login", {{"client_secrets", web}}), 400,
                           "bad_request"));
  EXPECT_TRUE(is_api_error(api(*daemon_, "GET", "/v1/login/no-such-login"), 404, "not_found"));
  auto started = start_login();
  EXPECT_TRUE(is_api_error(api(*daemon_, "GET", "/v1/login/" + started.login_id + "?wait=121"), 400,
                           "bad_request"));
  EXPECT_TRUE(is_api_error(paste(started.login_id, "not a url"), 400, "bad_request"));
}

}  // namespace
}  // namespace bqb::itest
