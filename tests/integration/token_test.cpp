// GET /v1/token with the real bqbrokerd and the Google fake: an account logged in the way a
// user does it (the test plays the browser), then tokens handed out, cached, narrowed, refused,
// refreshed once for many callers, retried after transient faults, and stopped after Google
// refuses the refresh token. Every test checks that no token the fake issued reached the log.

#include <filesystem>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/base/token_fingerprint.h"
#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;

constexpr std::string_view kAlice = "alice@example.com";
constexpr std::string_view kReadOnly = "https://www.googleapis.com/auth/bigquery.readonly";

std::string config_for(const FakeGoogle& fake, std::string_view store = "memory",
                       std::string_view extra = "") {
  return fmt::format(
      "store = \"{}\"\nlog_level = \"debug\"\n{}\n[oauth]\nrevoke_uri = \"{}/revoke\"\n", store,
      extra, fake.base_url());
}

/// @returns the number of refresh_token grants the fake has seen since the last reset_stats.
int refreshes(const FakeGoogle& fake) {
  const json stats = fake.control("GET", "/stats");
  return stats["token_requests"]["by_grant_type"].value("refresh_token", 0);
}

void reset_stats(const FakeGoogle& fake) { fake.control("DELETE", "/stats"); }

Expected<HttpResponse> get_token(const DaemonProcess& d, std::string_view query = "") {
  return daemon_api(d, "GET", fmt::format("/v1/token{}", query));
}

/// @returns the error object of an error answer.
json error_of(const Expected<HttpResponse>& r) {
  if (!r) return json{{"transport", r.error()}};
  return r->json().value("error", json::object());
}

class TokenTest : public ::testing::Test {
 protected:
  /// Starts a daemon with `config` and logs alice in through the browser.
  void start(std::string config) {
    daemon_.emplace(sandbox_, DaemonOptions().with_config(std::move(config)));
    ASSERT_TRUE(daemon_->wait_ready());
    auto login = login_through_browser(*daemon_, fake_, std::string(kAlice));
    ASSERT_TRUE(login) << login.error();
    reset_stats(fake_);
  }
  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(log_free_of(daemon_->log(), fake_.issued_secrets()));
    }
  }

  /// @returns the 200 answer's JSON; fails the test on anything else.
  json token_ok(std::string_view query = "") {
    auto r = get_token(*daemon_, query);
    if (!r) {
      ADD_FAILURE() << r.error();
      return json::object();
    }
    EXPECT_EQ(r->status, 200) << *r;
    return r->json();
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  std::optional<DaemonProcess> daemon_;
};

TEST_F(TokenTest, HandsOutAndCachesTheToken) {
  start(config_for(fake_));
  auto r = get_token(*daemon_);
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->status, 200) << *r;
  EXPECT_EQ(r->header("cache-control"), "no-store");
  const json t = r->json();
  EXPECT_EQ(t["token_type"], "Bearer");
  EXPECT_EQ(t["account"], kAlice);
  EXPECT_GT(t["expires_in"].get<int>(), 3500);
  EXPECT_LE(t["expires_in"].get<int>(), 3600);
  EXPECT_TRUE(t["expires_at"].get<std::string>().ends_with("Z")) << t;
  EXPECT_NE(std::find(t["scopes"].begin(), t["scopes"].end(), kReadOnly), t["scopes"].end()) << t;
  const std::string access_token = t["access_token"];

  // The fake knows it as a live token of alice's.
  auto info = tcp_request(fake_.port(), "GET", "/tokeninfo?access_token=" + access_token);
  ASSERT_TRUE(info) << info.error();
  EXPECT_EQ(info->status, 200) << info->body;
  EXPECT_EQ(info->as_json()["email"], kAlice);

  for (int i = 0; i < 5; ++i) EXPECT_EQ(token_ok()["access_token"], access_token);
  EXPECT_EQ(token_ok(fmt::format("?account={}", kAlice))["access_token"], access_token);
  EXPECT_EQ(refreshes(fake_), 1) << "one refresh, then the cache";

  // The audit line names the caller and a fingerprint of the token, never the token.
  EXPECT_TRUE(daemon_->wait_for_log({"token handed out", "account=alice@example.com",
                                     "token=sha256:" + token_fingerprint(Secret(access_token)),
                                     "uid=", "via=socket"}));
}

TEST_F(TokenTest, NarrowerScopeGetsItsOwnNarrowerToken) {
  start(config_for(fake_));
  const json full = token_ok();
  const json ro = token_ok("?scope=bigquery.readonly");
  EXPECT_EQ(ro["scopes"], json::array({kReadOnly})) << ro;
  EXPECT_NE(ro["access_token"], full["access_token"]);
  EXPECT_EQ(refreshes(fake_), 2);
  // The refresh grant asked for exactly that scope, and the fake's token carries only it.
  const json stats = fake_.control("GET", "/stats");
  EXPECT_EQ(stats["token_log"].back()["form"]["scope"], kReadOnly) << stats["token_log"];
  auto info = tcp_request(fake_.port(), "GET",
                          "/tokeninfo?access_token=" + ro["access_token"].get<std::string>());
  ASSERT_TRUE(info);
  EXPECT_EQ(info->as_json()["scope"], kReadOnly) << info->body;
  // Each is cached under its own key.
  EXPECT_EQ(token_ok("?scope=bigquery.readonly")["access_token"], ro["access_token"]);
  EXPECT_EQ(token_ok()["access_token"], full["access_token"]);
  EXPECT_EQ(refreshes(fake_), 2);
}

TEST_F(TokenTest, ScopeBeyondTheGrantIs403WithTheLoginThatGrantsIt) {
  start(config_for(fake_));
  auto r = get_token(*daemon_, "?scope=bigquery&scope=cloud-platform");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << *r;
  const json e = error_of(r);
  EXPECT_EQ(e["code"], "scope_not_granted");
  EXPECT_NE(e["message"].get<std::string>().find("cloud-platform"), std::string::npos) << e;
  EXPECT_NE(e["hint"].get<std::string>().find("bqbroker login --scope cloud-platform"),
            std::string::npos)
      << e;
  EXPECT_EQ(refreshes(fake_), 0);
}

TEST_F(TokenTest, BadParametersAre400NamingThem) {
  start(config_for(fake_));
  for (std::string_view q : {"?min_valid=abc", "?min_valid=-1", "?min_valid=3001", "?scope=a%20b",
                             "?scopes=bigquery", "?account=a@x&account=b@x"}) {
    auto r = get_token(*daemon_, q);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << q << ": " << *r;
    EXPECT_EQ(error_of(r)["code"], "bad_request") << q;
  }
  auto unknown = get_token(*daemon_, "?account=nobody@example.com");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << *unknown;
  EXPECT_EQ(refreshes(fake_), 0);
}

TEST_F(TokenTest, MinValidGetsAFreshTokenWhenTheCachedOneIsTooShort) {
  // A 1000 s token, refreshed ahead only in its last minute.
  fake_.control("POST", "/settings", {{"expires_in", 1000}});
  start(config_for(fake_, "memory", "[tokens]\nrefresh_margin_seconds = 60"));
  const json first = token_ok();
  EXPECT_LE(first["expires_in"].get<int>(), 1000);
  EXPECT_EQ(token_ok("?min_valid=900")["access_token"], first["access_token"]);
  EXPECT_EQ(refreshes(fake_), 1);

  fake_.control("POST", "/settings", {{"expires_in", 3600}});
  const json longer = token_ok("?min_valid=2000");
  EXPECT_NE(longer["access_token"], first["access_token"]);
  EXPECT_GE(longer["expires_in"].get<int>(), 2000);
  EXPECT_EQ(refreshes(fake_), 2);
  // A min_valid no fresh token can meet is an error, not a short token.
  fake_.control("POST", "/settings", {{"expires_in", 1000}});
  auto r = get_token(*daemon_, "?min_valid=2900&scope=bigquery.readonly");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502) << *r;
}

TEST_F(TokenTest, ManyConcurrentRequestsMakeOneRefresh) {
  start(config_for(fake_));
  // Hold the fake's answer a little, so that every request arrives while the refresh runs.
  fake_.control("POST", "/faults", {{"delay_ms", 500}, {"grant_type", "refresh_token"}});
  constexpr int kRequests = 200;
  std::vector<std::string> got(kRequests);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      auto r = get_token(*daemon_);
      got[i] = !r                 ? "transport: " + r.error()
               : r->status == 200 ? r->json().value("access_token", "")
                                  : "status " + std::to_string(r->status);
    });
  }
  for (auto& t : threads) t.join();
  const std::set<std::string> distinct(got.begin(), got.end());
  EXPECT_EQ(distinct.size(), 1u) << *distinct.begin();
  EXPECT_EQ(refreshes(fake_), 1);
}

TEST_F(TokenTest, TransientFaultsAreRetried) {
  start(config_for(fake_));
  fake_.control(
      "POST", "/faults",
      {{"faults", json::array({{{"status", 503}}, {{"error", "temporarily_unavailable"}}})}});
  const json t = token_ok();
  EXPECT_FALSE(t.value("access_token", "").empty());
  const json stats = fake_.control("GET", "/stats");
  EXPECT_EQ(stats["token_requests"]["by_grant_type"]["refresh_token"], 3) << stats;
  EXPECT_EQ(stats["token_requests"]["faulted"], 2) << stats;
}

TEST_F(TokenTest, RefusedRefreshTokenMeansNeedsLoginUntilANewLogin) {
  start(config_for(fake_));
  fake_.control("POST", "/refresh_tokens/revoke", json::object());
  auto r = get_token(*daemon_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << *r;
  EXPECT_EQ(error_of(r)["code"], "needs_login");
  EXPECT_NE(error_of(r)["hint"].get<std::string>().find("bqbroker login"), std::string::npos);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(get_token(*daemon_)->status, 401);
  EXPECT_EQ(refreshes(fake_), 1) << "no retry storm";

  // `bqbroker status --json` shows the state, the reason and the last error.
  auto status = run_cli({"status", "--json"}, sandbox_.env());
  ASSERT_EQ(status.status, ExitStatus::exited_with(0)) << status;
  const json s = json::parse(status.out, nullptr, false);
  ASSERT_TRUE(s.is_object()) << status.out;
  ASSERT_EQ(s["accounts"].size(), 1u) << s;
  const json& a = s["accounts"][0];
  EXPECT_EQ(a["state"], "needs_login") << a;
  EXPECT_EQ(a["reason"], "revoked or expired") << a;
  EXPECT_EQ(a["last_error"]["code"], "needs_login") << a;
  auto text = run_cli({"status"}, sandbox_.env());
  EXPECT_NE(text.out.find("needs_login"), std::string::npos) << text;

  // A new login clears it.
  auto login = login_through_browser(*daemon_, fake_, std::string(kAlice));
  ASSERT_TRUE(login) << login.error();
  const json t = token_ok();
  EXPECT_FALSE(t.value("access_token", "").empty());
  const json after = json::parse(run_cli({"status", "--json"}, sandbox_.env()).out, nullptr, false);
  EXPECT_EQ(after["accounts"][0]["state"], "ok") << after;
  EXPECT_FALSE(after["accounts"][0].contains("last_error")) << after;
  EXPECT_TRUE(after["accounts"][0].contains("token_expires_at")) << after;
}

TEST_F(TokenTest, LogoutDropsCachedTokens) {
  start(config_for(fake_));
  const json before = token_ok();
  ASSERT_EQ(daemon_api(*daemon_, "DELETE", fmt::format("/v1/accounts/{}", kAlice))->status, 200);
  auto gone = get_token(*daemon_);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 401) << *gone;  // no account at all now
  auto login = login_through_browser(*daemon_, fake_, std::string(kAlice));
  ASSERT_TRUE(login) << login.error();
  EXPECT_NE(token_ok()["access_token"], before["access_token"]);
}

TEST_F(TokenTest, TokensAfterKill9WithoutTheClientSecretsFile) {
  start(config_for(fake_, "file"));
  ASSERT_FALSE(token_ok().value("access_token", "").empty());
  EXPECT_EQ(daemon_->stop(SIGKILL), ExitStatus::killed_by(SIGKILL));
  const std::string old_log = daemon_->log();
  EXPECT_TRUE(log_free_of(old_log, fake_.issued_secrets()));
  // The user deletes the downloaded client_secrets.json: the client secret is in the store.
  std::filesystem::remove(fake_.client_secrets_file());
  daemon_.emplace(sandbox_, DaemonOptions().with_config(config_for(fake_, "file")));
  ASSERT_TRUE(daemon_->wait_ready());
  const json t = token_ok();
  EXPECT_EQ(t["account"], kAlice);
  EXPECT_FALSE(t.value("access_token", "").empty());
}

}  // namespace
}  // namespace bqb::itest
