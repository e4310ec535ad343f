// The Secret Service goes away while the daemon runs, and comes back: the daemon stays up, says
// clearly what it cannot do meanwhile, loses no account, and uses the keyring again once it is
// back, without a restart. A real gnome-keyring on a D-Bus session bus of the test's own (with no
// service activation, so that nothing restarts the keyring behind the test's back), with its
// keyrings in the sandbox: stopping it does not touch the run's shared keyring.

#include <csignal>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"
#include "tests/support/private_bus.h"

namespace bqb::itest {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view kScopes = "https://www.googleapis.com/auth/bigquery";
constexpr const char* kPassword = "bqbroker-fault-password";

/// A session bus and a gnome-keyring Secret Service on it, both of this test.
class PrivateKeyring {
 public:
  explicit PrivateKeyring(Sandbox& sb)
      : bus_path_(sb.root() / "bus"), data_(sb.root() / "keyring-data"), env_(sb.env()) {
    fs::create_directories(data_);
    env_.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + bus_path_.string())
        .set("XDG_DATA_HOME", data_.string())
        .set("XDG_RUNTIME_DIR", sb.runtime_dir().string())
        .set("HOME", sb.home().string());
    // No service activation: a call to a name nobody owns fails at once instead of starting a
    // fresh (locked) gnome-keyring.
    bus_.emplace(bus_path_, env_);
  }

  std::string address() const { return bus_->address(); }
  const Environment& env() const { return env_; }

  /// Starts gnome-keyring (its keyring unlocked with the same password each time, so a restart
  /// opens the same keyring) and waits until it owns the Secret Service's name.
  ::testing::AssertionResult start_keyring() {
    keyring_.emplace(
        std::vector<std::string>{
            "bash", "-c",
            // exec with the password on stdin: the child's pid is gnome-keyring's own
            "exec gnome-keyring-daemon --foreground --unlock --components=secrets "
            "< <(printf %s \"$0\")",
            kPassword},
        env_, Redirects{});
    // The bus first (it may still be starting), then the name.
    auto r = run_process(
        {"gdbus", "wait", "--session", "--timeout", "20", "org.freedesktop.secrets"}, env_, 25s);
    for (auto deadline = Clock::now() + 10s; !r.status.success() && Clock::now() < deadline;) {
      r = run_process({"gdbus", "wait", "--session", "--timeout", "20", "org.freedesktop.secrets"},
                      env_, 25s);
    }
    if (!r.status.success()) return ::testing::AssertionFailure() << "no Secret Service: " << r;
    return ::testing::AssertionSuccess();
  }

  /// Stops gnome-keyring and waits for it to exit.
  ::testing::AssertionResult stop_keyring() {
    if (!keyring_ || !keyring_->kill(SIGTERM)) {
      return ::testing::AssertionFailure() << "gnome-keyring was not running";
    }
    auto st = keyring_->wait(10s);
    if (st.kind == ExitStatus::Kind::still_running) {
      return ::testing::AssertionFailure() << "gnome-keyring did not exit within 10 s";
    }
    keyring_.reset();
    return ::testing::AssertionSuccess();
  }

  /// @returns what `secret-tool lookup` finds for (email, client id) in this keyring.
  std::string lookup(const std::string& email, const std::string& client_id) const {
    return run_process({"secret-tool", "lookup", "account", email, "client_id", client_id}, env_)
        .out;
  }

 private:
  fs::path bus_path_;
  fs::path data_;
  Environment env_;
  std::optional<PrivateBus> bus_;
  std::optional<Child> keyring_;
};

Expected<HttpResponse> import_account(const DaemonProcess& d, FakeGoogle& fake,
                                      const std::string& email) {
  const std::string refresh_token = fake.mint_refresh_token(email, std::string(kScopes));
  const json adc = {{"type", "authorized_user"},
                    {"client_id", fake.client().client_id},
                    {"client_secret", fake.client().client_secret.reveal()},
                    {"refresh_token", refresh_token}};
  return daemon_api(d, "POST", "/v1/accounts/import",
                    {{"authorized_user", adc}, {"token_uri", fake.base_url() + "/token"}});
}

std::vector<std::string> emails(const DaemonProcess& d) {
  std::vector<std::string> out;
  auto list = daemon_api(d, "GET", "/v1/accounts");
  if (!list || list->status != 200) {
    out.push_back(list ? list->body : list.error());
    return out;
  }
  const json body = list->json();  // named: a temporary would die before the loop body
  for (const auto& a : body["accounts"]) out.push_back(a.value("email", ""));
  return out;
}

TEST(FaultsSecretService, GoneWhileRunningThenBackLosesNoAccount) {
  Sandbox sb;
  FakeGoogle fake(sb);
  PrivateKeyring keyring(sb);
  ASSERT_TRUE(keyring.start_keyring());
  const std::string config = fmt::format(
      "store = \"secret-service\"\n[oauth]\nrevoke_uri = \"{0}/revoke\"\ntoken_uri = "
      "\"{0}/token\"\n",
      fake.base_url());
  auto options = [&] {
    return DaemonOptions().with_config(config).with_env("DBUS_SESSION_BUS_ADDRESS",
                                                        keyring.address());
  };
  const std::string client_id = fake.client().client_id;

  DaemonProcess d(sb, options());
  ASSERT_TRUE(d.wait_ready());
  auto carol = import_account(d, fake, "carol@example.com");
  ASSERT_TRUE(carol && carol->status == 201) << (carol ? carol->body : carol.error());
  ASSERT_NE(keyring.lookup("carol@example.com", client_id), "");

  // Gone.
  ASSERT_TRUE(keyring.stop_keyring());
  auto dave = import_account(d, fake, "dave@example.com");
  ASSERT_TRUE(dave) << dave.error();
  EXPECT_EQ(dave->status, 503) << *dave;
  EXPECT_EQ(dave->json()["error"]["code"], "store_unavailable") << *dave;
  EXPECT_NE(dave->json()["error"]["message"].get<std::string>().find("Secret Service"),
            std::string::npos)
      << *dave;
  EXPECT_TRUE(dave->json()["error"].contains("hint")) << *dave;
  // Still up, still knows its account.
  EXPECT_TRUE(d.serves_status()) << d.log();
  EXPECT_EQ(emails(d), std::vector<std::string>{"carol@example.com"}) << d.log();

  // Back: the same daemon stores again, and nothing was lost.
  ASSERT_TRUE(keyring.start_keyring());
  dave = import_account(d, fake, "dave@example.com");
  ASSERT_TRUE(dave) << dave.error();
  EXPECT_EQ(dave->status, 201) << *dave;
  EXPECT_NE(keyring.lookup("carol@example.com", client_id), "");
  EXPECT_NE(keyring.lookup("dave@example.com", client_id), "");
  auto token = daemon_api(d, "GET", "/v1/token?account=carol%40example.com");
  ASSERT_TRUE(token) << token.error();
  EXPECT_EQ(token->status, 200) << *token;
  EXPECT_EQ(d.stop(), ExitStatus::exited_with(0)) << d.log();

  // A new daemon reads both back from the keyring.
  DaemonProcess again(sb, options());
  ASSERT_TRUE(again.wait_ready());
  EXPECT_EQ(emails(again), (std::vector<std::string>{"carol@example.com", "dave@example.com"}));
  EXPECT_EQ(again.stop(), ExitStatus::exited_with(0)) << again.log();
}

}  // namespace
}  // namespace bqb::itest
