// The bqbroker CLI against the real daemon: status in both formats, finding the socket the way
// the daemon does, the daemon-unreachable exit code and message, --version, --help, usage errors.

#include <filesystem>

#include <gtest/gtest.h>

#include "bqbroker_version.h"
#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

namespace fs = std::filesystem;

constexpr int kExitUsage = 2;
constexpr int kExitDaemonUnreachable = 3;
constexpr std::string_view kStartHint = "systemctl --user start bqbroker.socket";

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

class CliWithDaemon : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.wait_ready()); }

  Sandbox sandbox_;
  DaemonProcess daemon_{sandbox_};
};

TEST_F(CliWithDaemon, StatusIsHumanReadable) {
  auto r = run_cli({"status"}, sandbox_.env());
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  EXPECT_TRUE(contains(r.out, kVersion)) << r;
  EXPECT_TRUE(contains(r.out, std::to_string(daemon_.pid()))) << r;
  EXPECT_TRUE(contains(r.out, daemon_.socket_path().string())) << r;
  EXPECT_TRUE(nlohmann::json::parse(r.out, nullptr, false).is_discarded())
      << "the default output is JSON, not text:\n"
      << r;
}

TEST_F(CliWithDaemon, StatusJsonIsTheDaemonsAnswer) {
  auto r = run_cli({"status", "--json"}, sandbox_.env());
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r;
  EXPECT_EQ(j.value("pid", -1), daemon_.pid());
  EXPECT_EQ(j.value("version", ""), kVersion);
  EXPECT_EQ(j.value("socket", ""), daemon_.socket_path().string());
  EXPECT_EQ(j.value("store", ""), "memory");
}

TEST(CliSocketDiscovery, FlagAndEnvironmentVariableFindANonDefaultSocket) {
  Sandbox sb;
  fs::path sock = sb.root() / "elsewhere" / "d.sock";
  DaemonProcess d(sb, DaemonOptions().with_socket(sock));
  ASSERT_TRUE(d.wait_ready());

  auto by_flag = run_cli({"--socket", sock.string(), "status", "--json"}, sb.env());
  EXPECT_EQ(by_flag.status, ExitStatus::exited_with(0)) << by_flag;
  EXPECT_EQ(nlohmann::json::parse(by_flag.out, nullptr, false).value("pid", -1), d.pid());

  auto env = sb.env();
  env.set("BQBROKER_SOCKET", sock.string());
  auto by_env = run_cli({"status", "--json"}, env);
  EXPECT_EQ(by_env.status, ExitStatus::exited_with(0)) << by_env;
  EXPECT_EQ(nlohmann::json::parse(by_env.out, nullptr, false).value("pid", -1), d.pid());

  // The default ($XDG_RUNTIME_DIR) has no daemon.
  auto by_default = run_cli({"status"}, sb.env());
  EXPECT_EQ(by_default.status, ExitStatus::exited_with(kExitDaemonUnreachable)) << by_default;
}

TEST(CliNoDaemon, StatusExits3AndSaysHowToStartIt) {
  Sandbox sb;
  auto r = run_cli({"status"}, sb.env());
  EXPECT_EQ(r.status, ExitStatus::exited_with(kExitDaemonUnreachable)) << r;
  EXPECT_TRUE(contains(r.err, kStartHint)) << r;
}

TEST(CliNoDaemon, StaleSocketCountsAsNoDaemon) {
  Sandbox sb;
  fs::create_directory(sb.socket_dir());
  fs::permissions(sb.socket_dir(), fs::perms::owner_all, fs::perm_options::replace);
  make_stale_socket(sb.socket_path());
  auto r = run_cli({"status", "--json"}, sb.env());
  EXPECT_EQ(r.status, ExitStatus::exited_with(kExitDaemonUnreachable)) << r;
  EXPECT_TRUE(contains(r.err, kStartHint)) << r;
}

TEST(CliCommandLine, VersionPrintsTheBuildVersion) {
  Sandbox sb;
  auto r = run_cli({"--version"}, sb.env());
  EXPECT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  EXPECT_TRUE(contains(r.out, kVersion)) << r;
}

TEST(CliCommandLine, HelpListsCommandsAndExitCodes) {
  Sandbox sb;
  auto r = run_cli({"--help"}, sb.env());
  EXPECT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  EXPECT_TRUE(contains(r.out, "status")) << r;
  auto sub = run_cli({"status", "--help"}, sb.env());
  EXPECT_EQ(sub.status, ExitStatus::exited_with(0)) << sub;
  EXPECT_TRUE(contains(sub.out, "--json")) << sub;
}

TEST(CliCommandLine, UsageErrorsExit2) {
  Sandbox sb;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--no-such-flag"}, {"no-such-command"}, {"status", "--no-such-flag"}}) {
    auto r = run_cli(args, sb.env());
    EXPECT_EQ(r.status, ExitStatus::exited_with(kExitUsage)) << args.front() << "\n" << r;
    EXPECT_FALSE(r.err.empty()) << "no message for a usage error: " << r;
  }
}

}  // namespace
}  // namespace bqb::itest
