#include "client/cli/doctor/doctor_checks.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "client/cli/doctor/doctor_report.h"

namespace bqb::cli::doctor {
namespace {

constexpr std::string_view kVersion = "1.2.3";

/// Facts of a setup where everything works: the baseline each test breaks one thing of.
DoctorFacts working() {
  DoctorFacts f;
  f.socket = {"/run/user/1000/bqbroker/bqbroker.sock", true, true, {}};
  api::StatusResponse s;
  s.version = std::string(kVersion);
  s.pid = 42;
  s.socket = f.socket.path;
  s.store = "secret-service";
  s.accounts.push_back({{"email", "a@example.com"},
                        {"client_id", "c"},
                        {"scopes", nlohmann::json::array()},
                        {"default", true},
                        {"state", "ok"},
                        {"added_at", "2026-01-01T00:00:00Z"}});
  f.status = s;
  api::DoctorResponse d;
  d.config.path = "/home/a/.config/bqbroker/config.toml";
  d.store.kind = "secret-service";
  d.clock = {"https://oauth2.googleapis.com/", 1, std::nullopt};
  f.daemon = d;
  f.systemd = {true, std::string("enabled")};
  f.browser = {{"xdg-open", "https://accounts.google.com/"}, false, true, true};
  return f;
}

const Check& find(const std::vector<Check>& checks, std::string_view name) {
  auto it =
      std::find_if(checks.begin(), checks.end(), [&](const Check& c) { return c.name == name; });
  if (it == checks.end()) throw std::runtime_error("no check " + std::string(name));
  return *it;
}

api::DoctorResponse& daemon_of(DoctorFacts& f) { return **f.daemon; }

TEST(DoctorChecks, EverythingWorking) {
  auto checks = evaluate(working(), kVersion);
  for (const auto& c : checks) {
    if (c.name == "metadata") continue;  // off unless [metadata] listen is set
    EXPECT_EQ(c.verdict, Verdict::ok) << c.name << ": " << c.detail;
  }
  EXPECT_TRUE(healthy(checks));
  std::vector<std::string> names;
  for (const auto& c : checks) names.push_back(c.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"socket", "daemon", "version", "systemd", "config", "store",
                                      "account", "clock", "proxy", "browser", "metadata"}));
}

TEST(DoctorChecks, RefusedSocketCarriesTheTrustCheckHintAndSkipsTheDaemon) {
  auto f = working();
  f.socket.trust =
      fail(Errc::daemon_unreachable, "refusing /tmp/x: its mode 0777 …", "Run `chmod go-w /tmp/x`");
  f.status.reset();
  f.daemon.reset();
  auto checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "socket").verdict, Verdict::fail);
  EXPECT_EQ(find(checks, "socket").fix, "Run `chmod go-w /tmp/x`");
  EXPECT_EQ(find(checks, "daemon").verdict, Verdict::skip);
  EXPECT_EQ(find(checks, "account").verdict, Verdict::skip);
  EXPECT_FALSE(healthy(checks));
}

TEST(DoctorChecks, MissingSocketIsNotAFailureOfItsOwn) {
  auto f = working();
  f.socket.exists = false;
  f.status = tl::unexpected(Error{Errc::daemon_unreachable, "no daemon at /run/…", ""});
  f.daemon.reset();
  auto checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "socket").verdict, Verdict::skip);
  EXPECT_FALSE(find(checks, "socket").required);
  EXPECT_EQ(find(checks, "daemon").verdict, Verdict::fail);
  EXPECT_FALSE(healthy(checks));
}

TEST(DoctorChecks, UnreachableDaemonFixDependsOnSystemd) {
  auto f = working();
  f.status = tl::unexpected(Error{Errc::daemon_unreachable, "no daemon", ""});
  f.daemon.reset();
  EXPECT_NE(find(evaluate(f, kVersion), "daemon").fix.find("systemctl --user enable --now"),
            std::string::npos);
  f.systemd.user_manager = false;
  auto checks = evaluate(f, kVersion);
  EXPECT_NE(find(checks, "daemon").fix.find("bqbrokerd &"), std::string::npos);
  for (auto name : {"version", "config", "store", "account", "clock", "metadata"}) {
    EXPECT_EQ(find(checks, name).verdict, Verdict::skip) << name;
  }
}

TEST(DoctorChecks, VersionMismatchFailsButDoesNotCount) {
  auto checks = evaluate(working(), "9.9.9");
  EXPECT_EQ(find(checks, "version").verdict, Verdict::fail);
  EXPECT_NE(find(checks, "version").fix.find("systemctl --user restart bqbroker.service"),
            std::string::npos);
  EXPECT_TRUE(healthy(checks));
}

TEST(DoctorChecks, Systemd) {
  auto f = working();
  f.systemd.socket_enabled = std::string("disabled");
  EXPECT_EQ(find(evaluate(f, kVersion), "systemd").fix,
            "systemctl --user enable --now bqbroker.socket");
  f.systemd.socket_enabled = std::string("not-found");
  const auto with_missing_units = evaluate(f, kVersion);
  const auto& missing = find(with_missing_units, "systemd");
  EXPECT_EQ(missing.verdict, Verdict::fail);
  EXPECT_NE(missing.detail.find("not installed"), std::string::npos);
  f.systemd.user_manager = false;
  const auto checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "systemd").verdict, Verdict::skip);
  EXPECT_NE(find(checks, "systemd").detail.find("no systemd user manager"), std::string::npos);
  EXPECT_TRUE(healthy(checks));
}

TEST(DoctorChecks, InvalidConfigUsesTheLoadersHintOrSaysToFixAndRestart) {
  auto f = working();
  daemon_of(f).config.error = Error{Errc::config_invalid, "config.toml:3: unknown key 'x'", ""};
  const auto checks = evaluate(f, kVersion);
  const auto& c = find(checks, "config");
  EXPECT_EQ(c.verdict, Verdict::fail);
  EXPECT_EQ(c.detail, "config.toml:3: unknown key 'x'");
  EXPECT_EQ(c.fix,
            "fix /home/a/.config/bqbroker/config.toml, then systemctl --user restart "
            "bqbroker.service");
  EXPECT_FALSE(healthy(checks));
}

TEST(DoctorChecks, WithoutADaemonTheConfigIsCheckedByBqbrokerdCheckConfig) {
  auto f = working();
  f.status = tl::unexpected(Error{Errc::daemon_unreachable, "no daemon", ""});
  f.daemon.reset();
  EXPECT_EQ(find(evaluate(f, kVersion), "config").verdict, Verdict::skip);

  f.offline_config =
      OfflineConfig{"/usr/bin/bqbrokerd", 0, "/home/a/.config/bqbroker/config.toml\n"};
  auto checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "config").verdict, Verdict::ok);
  EXPECT_EQ(find(checks, "config").detail,
            "/home/a/.config/bqbroker/config.toml is valid (/usr/bin/bqbrokerd --check-config)");

  f.offline_config = OfflineConfig{"/usr/bin/bqbrokerd", 1,
                                   "bqbrokerd: config.toml:2: unknown key 'x'\nhint: see "
                                   "docs/configuration.md\n"};
  checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "config").verdict, Verdict::fail);
  EXPECT_EQ(find(checks, "config").detail, "config.toml:2: unknown key 'x'");
  EXPECT_EQ(find(checks, "config").fix, "see docs/configuration.md");

  f.offline_config = OfflineConfig{"/usr/bin/bqbrokerd", 1, "bqbrokerd: cannot read it\n"};
  checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "config").detail, "cannot read it");
  EXPECT_EQ(find(checks, "config").fix, "fix the configuration file, then start the daemon");
}

TEST(DoctorChecks, Store) {
  auto f = working();
  daemon_of(f).store.error =
      Error{Errc::store_unavailable, "the Secret Service is locked", "unlock the keyring"};
  auto checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "store").verdict, Verdict::fail);
  EXPECT_EQ(find(checks, "store").fix, "unlock the keyring");
  EXPECT_FALSE(healthy(checks));

  daemon_of(f).store = {"file", std::nullopt};
  checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "store").verdict, Verdict::ok);
  EXPECT_NE(find(checks, "store").detail.find("the file store is in use"), std::string::npos);
}

TEST(DoctorChecks, EachAccountItsOwnCheck) {
  auto f = working();
  (*f.status)->accounts.push_back({{"email", "b@example.com"},
                                   {"client_id", "c"},
                                   {"scopes", nlohmann::json::array()},
                                   {"default", false},
                                   {"state", "needs_login"},
                                   {"reason", "invalid_grant: Token has been expired or revoked."},
                                   {"added_at", "2026-01-01T00:00:00Z"}});
  const auto checks = evaluate(f, kVersion);
  std::vector<Check> accounts;
  std::copy_if(checks.begin(), checks.end(), std::back_inserter(accounts),
               [](const Check& c) { return c.name == "account"; });
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].verdict, Verdict::ok);
  EXPECT_EQ(accounts[1].verdict, Verdict::fail);
  EXPECT_EQ(accounts[1].detail,
            "b@example.com needs a new login: invalid_grant: Token has been expired or revoked.");
  EXPECT_EQ(accounts[1].fix, "bqbroker login --account b@example.com");
  EXPECT_FALSE(healthy(checks));
}

TEST(DoctorChecks, NoAccount) {
  auto f = working();
  (*f.status)->accounts.clear();
  const auto checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "account").fix, "bqbroker login");
  EXPECT_FALSE(healthy(checks));
}

TEST(DoctorChecks, Clock) {
  auto f = working();
  daemon_of(f).clock.skew_seconds = -600;
  auto checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "clock").verdict, Verdict::fail);
  EXPECT_EQ(find(checks, "clock").detail,
            "this computer's clock is 600 s ahead of https://oauth2.googleapis.com/'s Date");
  EXPECT_NE(find(checks, "clock").fix.find("timedatectl set-ntp true"), std::string::npos);
  EXPECT_FALSE(healthy(checks));

  daemon_of(f).clock.skew_seconds = kMaxClockSkewSeconds;
  EXPECT_EQ(find(evaluate(f, kVersion), "clock").verdict, Verdict::ok);

  daemon_of(f).clock.skew_seconds.reset();
  daemon_of(f).clock.error = Error{Errc::upstream_unavailable, "cannot reach oauth2…", ""};
  checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "clock").verdict, Verdict::fail);
  EXPECT_NE(find(checks, "clock").detail.find("cannot reach oauth2"), std::string::npos);
}

TEST(DoctorChecks, ProxyNamesOnlyAndNeverRequired) {
  auto f = working();
  f.proxy_variables = {"HTTPS_PROXY", "NO_PROXY"};
  const auto checks = evaluate(f, kVersion);
  const auto& c = find(checks, "proxy");
  EXPECT_EQ(c.verdict, Verdict::ok);
  EXPECT_NE(c.detail.find("HTTPS_PROXY, NO_PROXY"), std::string::npos);
  EXPECT_FALSE(c.required);
}

TEST(DoctorChecks, Browser) {
  auto f = working();
  f.browser.found = false;
  auto checks = evaluate(f, kVersion);
  EXPECT_EQ(find(checks, "browser").verdict, Verdict::fail);
  EXPECT_NE(find(checks, "browser").fix.find("--no-browser"), std::string::npos);
  EXPECT_TRUE(healthy(checks));
  f.browser.found = true;
  f.browser.display = false;
  EXPECT_EQ(find(evaluate(f, kVersion), "browser").verdict, Verdict::skip);
}

TEST(DoctorChecks, Metadata) {
  auto f = working();
  EXPECT_EQ(find(evaluate(f, kVersion), "metadata").verdict, Verdict::skip);
  daemon_of(f).metadata_listen = "127.0.0.1:8181";
  const auto checks = evaluate(f, kVersion);
  const auto& c = find(checks, "metadata");
  EXPECT_EQ(c.verdict, Verdict::ok);
  EXPECT_EQ(c.detail, "127.0.0.1:8181 is served by the daemon");
}

TEST(DoctorReport, TextMarksEachCheckAndGivesTheFix) {
  auto f = working();
  daemon_of(f).clock.skew_seconds = 600;
  const std::string text = render_text(evaluate(f, kVersion));
  EXPECT_NE(text.find("\u2714 socket: "), std::string::npos);
  EXPECT_NE(text.find("\u2718 clock: this computer's clock is 600 s behind"), std::string::npos);
  EXPECT_NE(text.find("\n  fix: sudo timedatectl set-ntp true"), std::string::npos);
  EXPECT_NE(text.find("\u2013 metadata: [metadata] listen is off"), std::string::npos);
  EXPECT_NE(text.find("cannot work"), std::string::npos);
}

TEST(DoctorReport, Json) {
  auto f = working();
  f.systemd.socket_enabled = std::string("disabled");
  const auto j = render_json(evaluate(f, kVersion));
  EXPECT_EQ(j["ok"], true);
  const auto& systemd = j["checks"][3];
  EXPECT_EQ(systemd["name"], "systemd");
  EXPECT_EQ(systemd["state"], "fail");
  EXPECT_EQ(systemd["required"], false);
  EXPECT_EQ(systemd["fix"], "systemctl --user enable --now bqbroker.socket");
  EXPECT_FALSE(j["checks"][0].contains("fix"));
}

}  // namespace
}  // namespace bqb::cli::doctor
