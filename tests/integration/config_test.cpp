// Where the daemon finds its configuration and socket, and a bad configuration refused at start
// with a message naming the key.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

namespace fs = std::filesystem;

/// @returns GET /v1/status's JSON from `socket`, or a discarded value.
nlohmann::json status_json(const fs::path& socket) {
  auto r = http_once(socket, http_request("GET", "/v1/status"));
  if (!r || r->status != 200) return nlohmann::json::value_t::discarded;
  return r->json();
}

void write_file(const fs::path& p, std::string_view text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);  // whatever the umask
}

TEST(ConfigDiscovery, XdgConfigHomeFileIsRead) {
  Sandbox sb;
  write_file(sb.config_home() / "bqbroker" / "config.toml", kTestConfig);
  DaemonProcess d(sb, DaemonOptions().with_config(std::nullopt));
  ASSERT_TRUE(d.wait_ready());
  EXPECT_EQ(status_json(d.socket_path()).value("store", ""), "memory");
}

TEST(ConfigDiscovery, EnvironmentVariableOverridesXdg) {
  Sandbox sb;
  write_file(sb.config_home() / "bqbroker" / "config.toml", "store = \"bogus-store\"\n");
  fs::path from_env = sb.root() / "from-env.toml";
  write_file(from_env, kTestConfig);
  DaemonProcess d(
      sb, DaemonOptions().with_config(std::nullopt).with_env("BQBROKER_CONFIG", from_env.string()));
  ASSERT_TRUE(d.wait_ready());
  EXPECT_EQ(status_json(d.socket_path()).value("store", ""), "memory");
}

TEST(ConfigDiscovery, FlagOverridesEnvironmentVariable) {
  Sandbox sb;
  fs::path from_env = sb.root() / "from-env.toml";
  write_file(from_env, "store = \"bogus-store\"\n");
  DaemonProcess d(
      sb, DaemonOptions().with_env("BQBROKER_CONFIG", from_env.string()));  // --config: memory
  ASSERT_TRUE(d.wait_ready());
  EXPECT_EQ(status_json(d.socket_path()).value("store", ""), "memory");
}

TEST(ConfigErrors, UnknownKeyIsNamed) {
  Sandbox sb;
  DaemonProcess d(sb, DaemonOptions().with_config(std::string(kTestConfig) + "no_such_key = 1\n"));
  EXPECT_EQ(d.wait_exit(), ExitStatus::exited_with(1)) << d.log();
  EXPECT_FALSE(find_line(d.log(), {"bqbrokerd: ", "no_such_key"}).empty()) << d.log();
  EXPECT_FALSE(fs::exists(fs::symlink_status(d.socket_path())));
}

TEST(ConfigErrors, WrongTypeIsNamedWithItsTable) {
  Sandbox sb;
  DaemonProcess d(sb,
                  DaemonOptions().with_config(std::string(kTestConfig) +
                                              "[server]\nrequest_timeout_seconds = \"soon\"\n"));
  EXPECT_EQ(d.wait_exit(), ExitStatus::exited_with(1)) << d.log();
  EXPECT_FALSE(find_line(d.log(), {"bqbrokerd: ", "server.request_timeout_seconds"}).empty())
      << d.log();
}

TEST(ConfigErrors, TomlSyntaxErrorIsReported) {
  Sandbox sb;
  DaemonProcess d(sb, DaemonOptions().with_config("store = \n"));
  EXPECT_EQ(d.wait_exit(), ExitStatus::exited_with(1)) << d.log();
  EXPECT_NE(d.log().find("bqbrokerd: "), std::string::npos) << d.log();
}

// A config.toml that another user could have written decides where tokens go: the daemon, run as
// bqb-test-a, refuses to start on one owned by bqb-test-b or writable by its group.
TEST(ConfigErrors, AConfigFileAnotherUserCouldHaveWrittenIsRefused) {
  TestUsers users;
  ASSERT_TRUE(find_test_users(users));
  struct Case {
    const TestUser* owner;
    fs::perms mode;
    std::string said;
  };
  const std::vector<Case> cases{
      {&users.b, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read,
       "belongs to uid " + std::to_string(users.b.uid) + " (" + users.b.name + ")"},
      {&users.a, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_write,
       "lets other users write to it"}};
  for (const Case& c : cases) {
    Sandbox sb;
    const fs::path file = sb.config_home() / "bqbroker" / "config.toml";
    write_file(file, kTestConfig);
    sb.give_to(users.a);
    // The mode first: once the file is another user's, only its owner (or root) may change it.
    fs::permissions(file, c.mode);
    ASSERT_EQ(::chown(file.c_str(), c.owner->uid, c.owner->gid), 0);
    DaemonProcess d(sb, DaemonOptions().with_config(std::nullopt).with_user(users.a));
    EXPECT_EQ(d.wait_exit(), ExitStatus::exited_with(1)) << d.log();
    EXPECT_FALSE(
        find_line(d.log(), {"bqbrokerd: the configuration file " + file.string(), c.said}).empty())
        << d.log();
    EXPECT_NE(d.log().find("hint: "), std::string::npos) << d.log();
  }
}

TEST(SocketDiscovery, EnvironmentVariableIsUsedWithoutFlag) {
  Sandbox sb;
  fs::path sock = sb.root() / "envdir" / "env.sock";
  DaemonProcess d(sb, DaemonOptions().with_socket(sock).without_socket_flag().with_env(
                          "BQBROKER_SOCKET", sock.string()));
  ASSERT_TRUE(d.wait_ready());
  EXPECT_EQ(status_json(sock).value("socket", ""), sock.string());
  EXPECT_FALSE(fs::exists(fs::symlink_status(sb.socket_path())));
}

TEST(SocketDiscovery, XdgRuntimeDirIsTheDefault) {
  Sandbox sb;
  DaemonProcess d(sb, DaemonOptions().without_socket_flag());
  ASSERT_TRUE(d.wait_ready());
  EXPECT_EQ(status_json(sb.socket_path()).value("socket", ""), sb.socket_path().string());
}

TEST(SocketDiscovery, FlagBeatsEnvironmentVariable) {
  Sandbox sb;
  fs::path flag_sock = sb.root() / "flagdir" / "flag.sock";
  fs::path env_sock = sb.root() / "envdir" / "env.sock";
  DaemonProcess d(
      sb, DaemonOptions().with_socket(flag_sock).with_env("BQBROKER_SOCKET", env_sock.string()));
  ASSERT_TRUE(d.wait_ready());
  EXPECT_EQ(status_json(flag_sock).value("socket", ""), flag_sock.string());
  EXPECT_FALSE(fs::exists(fs::symlink_status(env_sock)));
}

}  // namespace
}  // namespace bqb::itest
