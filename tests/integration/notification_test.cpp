// The desktop notification before work breaks: an account Google refuses, and that stays refused
// past [notifications] grace_seconds, gets one notification per episode naming it and the command
// that repairs it. A fake notification server (tools/fake_notifications.cpp) on a D-Bus session
// bus of the test's own records each Notify; the real bqbrokerd sends them.

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"
#include "tests/support/private_bus.h"

#ifndef BQB_FAKE_NOTIFICATIONS
#error "BQB_FAKE_NOTIFICATIONS must be defined by CMake"
#endif

namespace bqb::itest {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

/// A session bus of the test's own (no service activation), and optionally the fake notification
/// server on it.
class NotificationBus {
 public:
  explicit NotificationBus(Sandbox& sb)
      : record_(sb.root() / "notifications.tsv"), env_(sb.env()), bus_(sb.root() / "bus", env_) {
    env_.set("DBUS_SESSION_BUS_ADDRESS", bus_.address());
  }

  std::string address() const { return bus_.address(); }

  /// Starts the fake notification server and waits until it owns its name.
  ::testing::AssertionResult start_server(bool actions = true) {
    // The bus first: the server exits when it finds no bus to connect to.
    if (auto listening = bus_.wait_listening(); !listening) return listening;
    std::vector<std::string> argv{BQB_FAKE_NOTIFICATIONS, record_.string()};
    if (!actions) argv.push_back("--no-actions");
    server_.emplace(argv, env_, Redirects{});
    ProcessResult r;
    for (auto deadline = Clock::now() + 20s; Clock::now() < deadline;) {
      r = run_process(
          {"gdbus", "wait", "--session", "--timeout", "10", "org.freedesktop.Notifications"}, env_,
          15s);
      if (r.status.success()) return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "no notification server on the bus: " << r;
  }

  /// @returns the notifications recorded so far, one tab-separated line each.
  std::vector<std::string> recorded() const {
    std::vector<std::string> lines;
    std::ifstream in(record_);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  /// Polls the record until it holds `n` notifications or 20 s passed. @returns the record.
  std::vector<std::string> wait_for(std::size_t n) const {
    auto lines = recorded();
    for (auto deadline = Clock::now() + 20s; lines.size() < n && Clock::now() < deadline;) {
      std::this_thread::sleep_for(20ms);
      lines = recorded();
    }
    return lines;
  }

 private:
  fs::path record_;
  Environment env_;
  PrivateBus bus_;
  std::optional<Child> server_;
};

/// @returns the options of a daemon on the bus at `bus_address` (memory store, the fake's
/// endpoints) with [notifications] `enabled` and `grace_seconds`.
DaemonOptions options(const FakeGoogle& fake, bool enabled, int grace_seconds,
                      const std::string& bus_address) {
  return DaemonOptions()
      .with_config(fmt::format("store = \"memory\"\n[oauth]\nrevoke_uri = \"{}/revoke\"\n"
                               "[notifications]\nenabled = {}\ngrace_seconds = {}\n",
                               fake.base_url(), enabled ? "true" : "false", grace_seconds))
      .with_env("DBUS_SESSION_BUS_ADDRESS", bus_address);
}

/// Waits for `d` to serve, then logs `email` into it.
::testing::AssertionResult ready_with(DaemonProcess& d, const FakeGoogle& fake,
                                      const std::string& email) {
  if (auto ready = d.wait_ready(); !ready) return ready;
  auto login = login_through_browser(d, fake, email);
  if (!login) return ::testing::AssertionFailure() << login.error();
  return ::testing::AssertionSuccess();
}

/// @returns whether `d` still answers GET /v1/status.
::testing::AssertionResult serves(const DaemonProcess& d) {
  auto status = daemon_api(d, "GET", "/v1/status");
  if (!status) return ::testing::AssertionFailure() << status.error();
  if (status->status != 200) return ::testing::AssertionFailure() << *status;
  return ::testing::AssertionSuccess();
}

/// Makes Google refuse every refresh token it issued, then asks `d` for a token, which puts its
/// default account into needs_login.
::testing::AssertionResult refuse_refresh(const FakeGoogle& fake, const DaemonProcess& d) {
  fake.control("POST", "/refresh_tokens/revoke", json::object());
  auto r = daemon_api(d, "GET", "/v1/token");
  if (!r) return ::testing::AssertionFailure() << r.error();
  if (r->status != 401) return ::testing::AssertionFailure() << *r;
  return ::testing::AssertionSuccess();
}

/// Polls `d`'s log until it holds `needle` `n` times or 20 s passed. @returns the count.
std::size_t wait_for_log(const DaemonProcess& d, std::string_view needle, std::size_t n) {
  auto count = [&] {
    const std::string log = d.log();
    std::size_t c = 0;
    for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++c;
    return c;
  };
  std::size_t c = count();
  for (auto deadline = Clock::now() + 20s; c < n && Clock::now() < deadline;) {
    std::this_thread::sleep_for(20ms);
    c = count();
  }
  return c;
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

TEST(Notification, OnePerEpisodeNamingTheAccountAndTheCommand) {
  Sandbox sb;
  FakeGoogle fake(sb);
  NotificationBus bus(sb);
  ASSERT_TRUE(bus.start_server());
  DaemonProcess d(sb, options(fake, true, 1, bus.address()));
  ASSERT_TRUE(ready_with(d, fake, "alice@example.com"));

  // Episode 1: refused, and asked again (still the same episode).
  ASSERT_TRUE(refuse_refresh(fake, d));
  ASSERT_EQ(daemon_api(d, "GET", "/v1/token")->status, 401);
  auto lines = bus.wait_for(1);
  ASSERT_EQ(lines.size(), 1u) << d.log();
  EXPECT_TRUE(contains(lines[0], "alice@example.com needs a new login")) << lines[0];
  EXPECT_TRUE(contains(lines[0], "Run: bqbroker login --login-hint alice@example.com")) << lines[0];
  EXPECT_TRUE(contains(lines[0], "\tlogin\tLog in")) << "the server has actions: " << lines[0];

  // A new login ends the episode; a second refusal is a second episode, and its one notification.
  ASSERT_TRUE(login_through_browser(d, fake, "alice@example.com"));
  ASSERT_TRUE(refuse_refresh(fake, d));
  lines = bus.wait_for(2);
  ASSERT_EQ(lines.size(), 2u) << d.log();
  EXPECT_TRUE(contains(lines[1], "alice@example.com needs a new login")) << lines[1];
  // The daemon logged both; the first episode was not repeated meanwhile.
  EXPECT_EQ(wait_for_log(d, "desktop notification", 2), 2u) << d.log();
  EXPECT_EQ(bus.recorded().size(), 2u);
  EXPECT_TRUE(log_free_of(d.log(), fake.issued_secrets()));
}

TEST(Notification, NoLogInActionWhereTheServerHasNoActions) {
  Sandbox sb;
  FakeGoogle fake(sb);
  NotificationBus bus(sb);
  ASSERT_TRUE(bus.start_server(/*actions=*/false));
  DaemonProcess d(sb, options(fake, true, 0, bus.address()));
  ASSERT_TRUE(ready_with(d, fake, "alice@example.com"));
  ASSERT_TRUE(refuse_refresh(fake, d));
  auto lines = bus.wait_for(1);
  ASSERT_EQ(lines.size(), 1u) << d.log();
  EXPECT_FALSE(contains(lines[0], "Log in")) << lines[0];
}

TEST(Notification, TurnedOffSendsNothing) {
  // Two daemons on one bus: `off` has notifications off, `on` is the canary that shows a
  // notification of `off`'s would have been recorded by then.
  Sandbox sb_off;
  Sandbox sb_on;
  FakeGoogle fake(sb_off);
  NotificationBus bus(sb_off);
  ASSERT_TRUE(bus.start_server());
  DaemonProcess off(sb_off, options(fake, false, 0, bus.address()));
  DaemonProcess on(sb_on, options(fake, true, 0, bus.address()));
  ASSERT_TRUE(ready_with(off, fake, "alice@example.com"));
  ASSERT_TRUE(ready_with(on, fake, "bob@example.com"));
  ASSERT_TRUE(refuse_refresh(fake, off));
  ASSERT_TRUE(refuse_refresh(fake, on));
  auto lines = bus.wait_for(1);
  ASSERT_EQ(lines.size(), 1u) << on.log();
  EXPECT_TRUE(contains(lines[0], "bob@example.com")) << lines[0];
  EXPECT_EQ(wait_for_log(on, "desktop notification 1 sent", 1), 1u) << on.log();
  EXPECT_EQ(bus.recorded().size(), 1u);
  EXPECT_FALSE(contains(off.log(), "desktop notification")) << off.log();
}

TEST(Notification, NoNotificationServerIsNoErrorAndTheDaemonServes) {
  Sandbox sb;
  FakeGoogle fake(sb);
  NotificationBus bus(sb);  // nobody owns org.freedesktop.Notifications on it
  DaemonProcess d(sb, options(fake, true, 0, bus.address()));
  ASSERT_TRUE(ready_with(d, fake, "alice@example.com"));
  ASSERT_TRUE(refuse_refresh(fake, d));
  EXPECT_EQ(wait_for_log(d, "no desktop notification", 1), 1u) << d.log();
  // Still serving, and no retry: asking again stays in the episode.
  ASSERT_EQ(daemon_api(d, "GET", "/v1/token")->status, 401);
  EXPECT_TRUE(serves(d));
  EXPECT_TRUE(contains(d.log(), "ServiceUnknown")) << d.log();
  EXPECT_EQ(wait_for_log(d, "no desktop notification", 1), 1u) << d.log();
}

TEST(Notification, NoSessionBusIsNoErrorAndTheDaemonServes) {
  Sandbox sb;
  FakeGoogle fake(sb);
  DaemonProcess d(sb, options(fake, true, 0, "unix:path=" + (sb.root() / "no-bus").string()));
  ASSERT_TRUE(ready_with(d, fake, "alice@example.com"));
  ASSERT_TRUE(refuse_refresh(fake, d));
  EXPECT_EQ(wait_for_log(d, "no desktop notification", 1), 1u) << d.log();
  EXPECT_TRUE(serves(d));
}

}  // namespace
}  // namespace bqb::itest
