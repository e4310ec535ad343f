// `bqbroker doctor` against the real daemon and the Google fake: a working setup passes (exit 0),
// and each check broken on purpose shows its ✘ and its fix and fails the exit code when `token`
// and `query` need it: a socket directory others may write to, no daemon, an account that needs
// a new login, a token endpoint whose clock is ten minutes off, a configuration file gone bad,
// a Secret Service that does not answer.
// The checks that do not count (browser, proxy) fail or report without changing the exit code,
// and a proxy URL's password never shows.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view kOk = "\u2714 ";
constexpr std::string_view kFail = "\u2718 ";

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

/// @returns the line of `text` that starts with `prefix` and the line after it, or "".
std::string line_and_next(const std::string& text, const std::string& prefix) {
  std::size_t at = 0;
  if (text.compare(0, prefix.size(), prefix) != 0) {
    at = text.find("\n" + prefix);
    if (at == std::string::npos) return "";
    ++at;
  }
  auto end = text.find('\n', at);
  if (end != std::string::npos) end = text.find('\n', end + 1);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

/// A daemon that reads $XDG_CONFIG_HOME/bqbroker/config.toml (no --config), as an installed one
/// does, so that a test can break that file; its token endpoint is the Google fake.
class DoctorTest : public ::testing::Test {
 protected:
  fs::path config_file() const { return sandbox_.config_home() / "bqbroker" / "config.toml"; }

  void write_config(const std::string& text) {
    fs::create_directories(config_file().parent_path());
    std::ofstream(config_file()) << text;
  }

  std::string good_config(const FakeGoogle& fake) const {
    return fmt::format(
        "store = \"memory\"\nlog_level = \"debug\"\n[oauth]\ntoken_uri = \"{0}/token\"\n"
        "revoke_uri = \"{0}/revoke\"\n",
        fake.base_url());
  }

  /// Starts the daemon with good_config() and signs `email` in.
  void start(const FakeGoogle& fake, const std::string& email) {
    write_config(good_config(fake));
    daemon_.emplace(sandbox_, DaemonOptions().with_config(std::nullopt));
    ASSERT_TRUE(daemon_->wait_ready());
    auto r = login_through_browser(*daemon_, fake, email);
    ASSERT_TRUE(r) << r.error();
  }

  /// The CLI's environment: a browser that is there (so only what a test breaks fails).
  Environment env() const {
    auto e = sandbox_.env();
    e.set("BROWSER", "/bin/true");
    e.set("DISPLAY", ":0");
    return e;
  }

  ProcessResult doctor(const Environment& e) { return run_cli({"doctor"}, e, 60s); }

  /// @returns the ✘ line of check `name` and the line after it (its fix), having expected
  /// doctor's exit code 1.
  static std::string failed_check(const ProcessResult& r, std::string_view name) {
    EXPECT_EQ(r.status, ExitStatus::exited_with(1)) << r;
    return line_and_next(r.out, std::string(kFail) + std::string(name) + ": ");
  }

  Sandbox sandbox_;
  std::optional<DaemonProcess> daemon_;
};

TEST_F(DoctorTest, WorkingSetupPassesAndSaysWhatItFound) {
  FakeGoogle fake(sandbox_);
  ASSERT_NO_FATAL_FAILURE(start(fake, "ok@example.com"));

  auto r = doctor(env());
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  EXPECT_TRUE(contains(r.out, std::string(kOk) + "socket: " + daemon_->socket_path().string()))
      << r;
  EXPECT_TRUE(contains(r.out, std::string(kOk) + "daemon: bqbrokerd ")) << r;
  EXPECT_TRUE(contains(r.out, std::string(kOk) + "config: " + config_file().string() + " is valid"))
      << r;
  EXPECT_TRUE(contains(r.out, std::string(kOk) + "store: the memory store is in use")) << r;
  EXPECT_TRUE(contains(r.out, std::string(kOk) + "account: ok@example.com (default): ok")) << r;
  EXPECT_TRUE(contains(r.out, std::string(kOk) + "clock: ")) << r;
  EXPECT_TRUE(contains(r.out, "\u2013 systemd: no systemd user manager")) << r;
  EXPECT_FALSE(contains(r.out, kFail)) << r;

  auto j = run_cli({"doctor", "--json"}, env(), 60s);
  ASSERT_EQ(j.status, ExitStatus::exited_with(0)) << j;
  const json doc = json::parse(j.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << j;
  EXPECT_EQ(doc["ok"], true);
  ASSERT_TRUE(doc["checks"].is_array());
  EXPECT_EQ(doc["checks"][0]["name"], "socket");
  EXPECT_EQ(doc["checks"][0]["state"], "ok");
}

TEST_F(DoctorTest, SocketDirectoryOthersCanWriteIsRefusedWithTheChmod) {
  fs::create_directories(sandbox_.socket_dir());
  ASSERT_EQ(::chmod(sandbox_.socket_dir().c_str(), 0777), 0);

  auto r = doctor(env());
  const auto socket = failed_check(r, "socket");
  EXPECT_TRUE(contains(socket, "mode 0777 lets other users write to it")) << r;
  EXPECT_TRUE(contains(socket, "fix: ")) << r;
  EXPECT_TRUE(contains(socket, "chmod go-w " + sandbox_.socket_dir().string())) << r;
  EXPECT_TRUE(contains(r.out, "\u2013 daemon: not asked: the socket is refused")) << r;
}

TEST_F(DoctorTest, NoDaemonSaysHowToStartOne) {
  auto r = doctor(env());
  const auto daemon = failed_check(r, "daemon");
  EXPECT_FALSE(daemon.empty()) << r;
  // The sandbox has no systemd user manager: start the daemon by hand.
  EXPECT_TRUE(contains(daemon, "fix: bqbrokerd &")) << r;
  EXPECT_TRUE(contains(r.out, "\u2013 account: not checked: the daemon did not answer")) << r;
}

TEST_F(DoctorTest, WithoutADaemonBqbrokerdChecksTheConfiguration) {
  write_config("store = \"memory\"\nno_such_key = 1\n");
  // An installed bqbrokerd is on PATH: put the built one there.
  auto e = env();
  e.set("PATH",
        fs::path(daemon_binary()).parent_path().string() + ":" + e.get("PATH").value_or(""));

  auto r = doctor(e);
  const auto config = failed_check(r, "config");
  EXPECT_TRUE(contains(config, "no_such_key")) << r;
  EXPECT_TRUE(contains(config, "fix: ")) << r;

  write_config("store = \"memory\"\n");
  r = doctor(e);
  EXPECT_TRUE(contains(r.out, std::string(kOk) + "config: " + config_file().string() +
                                  " is valid (" + daemon_binary() + " --check-config)"))
      << r;
}

TEST_F(DoctorTest, AccountThatNeedsLoginNamesTheLoginCommand) {
  FakeGoogle fake(sandbox_);
  ASSERT_NO_FATAL_FAILURE(start(fake, "gone@example.com"));
  fake.control("POST", "/refresh_tokens/revoke", json::object());
  // A refresh meets the revoked grant and puts the account into needs_login.
  auto token = run_cli({"token", "--min-valid", "3000"}, env());
  ASSERT_EQ(token.status, ExitStatus::exited_with(4)) << token;

  auto r = doctor(env());
  const auto account = failed_check(r, "account");
  EXPECT_TRUE(contains(account, "gone@example.com (default) needs a new login")) << r;
  EXPECT_TRUE(contains(account, "fix: bqbroker login --account gone@example.com")) << r;
}

TEST_F(DoctorTest, TokenEndpointClockTenMinutesOffFailsTheClock) {
  FakeGoogle fake(sandbox_, {"--clock-offset", "-600"});
  ASSERT_NO_FATAL_FAILURE(start(fake, "clock@example.com"));

  auto r = doctor(env());
  const auto clock = failed_check(r, "clock");
  // The server's clock is behind ours: ours is ahead, by 600 s give or take the round trip.
  EXPECT_TRUE(contains(clock, "s ahead of " + fake.base_url() + "/'s Date")) << r;
  EXPECT_TRUE(contains(clock, "fix: sudo timedatectl set-ntp true")) << r;

  auto j = run_cli({"doctor", "--json"}, env(), 60s);
  const json doc = json::parse(j.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << j;
  EXPECT_EQ(doc["ok"], false);
  bool found = false;
  for (const auto& c : doc["checks"]) {
    if (c["name"] != "clock") continue;
    found = true;
    EXPECT_EQ(c["state"], "fail");
    const std::string detail = c["detail"];
    const auto seconds = std::stol(detail.substr(detail.find(" is ") + 4));
    EXPECT_GE(seconds, 598) << detail;
    EXPECT_LE(seconds, 602) << detail;
  }
  EXPECT_TRUE(found) << j;
}

TEST_F(DoctorTest, ConfigurationThatNoLongerLoadsSaysWhereAndHowToRestart) {
  FakeGoogle fake(sandbox_);
  ASSERT_NO_FATAL_FAILURE(start(fake, "cfg@example.com"));
  write_config(good_config(fake) + "unknown_key = 1\n");

  auto r = doctor(env());
  const auto config = failed_check(r, "config");
  EXPECT_TRUE(contains(config, "unknown_key")) << r;
  EXPECT_TRUE(contains(config, "fix: ")) << r;
}

TEST_F(DoctorTest, SecretServiceThatDoesNotAnswerFailsTheStore) {
  FakeGoogle fake(sandbox_);
  std::string config = good_config(fake);
  config.replace(config.find("store = \"memory\""), 16, "store = \"secret-service\"");
  write_config(config);
  // A session bus address where nothing listens: the Secret Service cannot be reached.
  daemon_.emplace(sandbox_, DaemonOptions()
                                .with_config(std::nullopt)
                                .with_env("DBUS_SESSION_BUS_ADDRESS",
                                          "unix:path=" + (sandbox_.root() / "no-bus").string()));
  ASSERT_TRUE(daemon_->wait_ready());

  auto r = doctor(env());
  const auto store = failed_check(r, "store");
  EXPECT_FALSE(store.empty()) << r;
  EXPECT_TRUE(contains(store, "fix: ")) << r;
}

TEST_F(DoctorTest, MetadataPortInUseByTheDaemon) {
  FakeGoogle fake(sandbox_);
  const auto port = free_port();
  write_config(good_config(fake) + fmt::format("[metadata]\nlisten = \"127.0.0.1:{}\"\n", port));
  daemon_.emplace(sandbox_, DaemonOptions().with_config(std::nullopt));
  ASSERT_TRUE(daemon_->wait_ready());

  auto r = doctor(env());
  EXPECT_TRUE(
      contains(r.out, fmt::format("{}metadata: 127.0.0.1:{} is served by the daemon", kOk, port)))
      << r;
}

TEST_F(DoctorTest, BrowserAndProxyReportWithoutFailingAndNeverShowAProxyPassword) {
  FakeGoogle fake(sandbox_);
  ASSERT_NO_FATAL_FAILURE(start(fake, "info@example.com"));
  auto e = env();
  e.set("BROWSER", "/nonexistent/browser");
  e.set("HTTPS_PROXY", "http://alice:hunter2@proxy.example:3128");

  auto r = doctor(e);
  EXPECT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  const auto browser = line_and_next(r.out, std::string(kFail) + "browser: ");
  EXPECT_TRUE(contains(browser, "/nonexistent/browser")) << r;
  EXPECT_TRUE(contains(browser, "fix: ")) << r;
  EXPECT_TRUE(contains(r.out, std::string(kOk) + "proxy: set here: HTTPS_PROXY")) << r;
  EXPECT_FALSE(contains(r.out + r.err, "hunter2")) << r;
  EXPECT_FALSE(contains(r.out + r.err, "alice")) << r;
}

}  // namespace
}  // namespace bqb::itest
