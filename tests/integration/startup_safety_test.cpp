// The daemon refuses to start where another user could interfere (a socket directory that is a
// symlink, too open, or someone else's), replaces a stale socket, never steals a live one, and
// keeps two daemons off one state directory.

#include <filesystem>

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

namespace fs = std::filesystem;

/// Checks that `d` failed to start the documented way: exit 1, a "bqbrokerd: " message naming
/// every one of `names`, and no READY=1.
::testing::AssertionResult refused_to_start(DaemonProcess& d,
                                            const std::vector<std::string>& names) {
  ExitStatus st = d.wait_exit(10s);
  std::string log = d.log();
  if (st != ExitStatus::exited_with(1)) {
    return ::testing::AssertionFailure() << "bqbrokerd " << st << ", want exit 1; log:\n" << log;
  }
  std::vector<std::string> needles{"bqbrokerd: "};
  needles.insert(needles.end(), names.begin(), names.end());
  if (find_line(log, needles).empty()) {
    auto fail = ::testing::AssertionFailure() << "no line holds \"bqbrokerd: \" and";
    for (const auto& n : names) fail << " [" << n << "]";
    return fail << "; log:\n" << log;
  }
  if (d.notified("READY=1")) return ::testing::AssertionFailure() << "sent READY=1 anyway";
  return ::testing::AssertionSuccess();
}

void make_dir(const fs::path& p, unsigned mode) {
  fs::create_directories(p);
  fs::permissions(p, static_cast<fs::perms>(mode), fs::perm_options::replace);
}

TEST(StartupSafety, CreatesSocketDirectory0700AndSocket0600) {
  Sandbox sb;
  DaemonProcess d(sb);
  ASSERT_TRUE(d.wait_ready());
  auto dir = fs::symlink_status(sb.socket_dir());
  EXPECT_EQ(dir.type(), fs::file_type::directory);
  EXPECT_EQ(dir.permissions(), static_cast<fs::perms>(0700));
  auto sock = fs::symlink_status(d.socket_path());
  EXPECT_EQ(sock.type(), fs::file_type::socket);
  EXPECT_EQ(sock.permissions(), static_cast<fs::perms>(0600));
}

TEST(StartupSafety, SymlinkedSocketDirectoryIsRefused) {
  Sandbox sb;
  fs::path target = sb.root() / "elsewhere";
  make_dir(target, 0700);
  fs::create_directory_symlink(target, sb.socket_dir());
  DaemonProcess d(sb);
  EXPECT_TRUE(refused_to_start(d, {sb.socket_dir().string()}));
  EXPECT_TRUE(fs::is_empty(target)) << "the daemon created something through the symlink";
}

TEST(StartupSafety, SocketDirectoryOpenToOthersIsRefused) {
  for (unsigned mode : {0755u, 0711u, 0770u}) {
    SCOPED_TRACE(mode);
    Sandbox sb;
    make_dir(sb.socket_dir(), mode);
    DaemonProcess d(sb);
    EXPECT_TRUE(refused_to_start(d, {sb.socket_dir().string()}));
    EXPECT_FALSE(fs::exists(sb.socket_path()));
  }
}

TEST(StartupSafety, SocketDirectoryOwnedByAnotherUserIsRefused) {
  TestUsers users;
  ASSERT_TRUE(find_test_users(users));
  Sandbox sb;
  make_dir(sb.socket_dir(), 0700);
  ASSERT_EQ(::chown(sb.socket_dir().c_str(), users.b.uid, users.b.gid), 0);
  DaemonProcess d(sb);
  EXPECT_TRUE(refused_to_start(
      d, {sb.socket_dir().string(), "it belongs to uid " + std::to_string(users.b.uid)}));
}

TEST(StartupSafety, StaleSocketIsReplaced) {
  Sandbox sb;
  make_dir(sb.socket_dir(), 0700);
  make_stale_socket(sb.socket_path());
  ASSERT_FALSE(is_listening(sb.socket_path()));
  DaemonProcess d(sb);
  ASSERT_TRUE(d.wait_ready());
  EXPECT_TRUE(d.serves_status());
}

TEST(StartupSafety, LiveSocketIsNotStolen) {
  Sandbox first_sb;
  DaemonProcess first(first_sb);
  ASSERT_TRUE(first.wait_ready());

  Sandbox second_sb;  // its own state directory, so only the socket is contested
  DaemonProcess second(second_sb, DaemonOptions().with_socket(first.socket_path()));
  EXPECT_TRUE(refused_to_start(second, {first.socket_path().string()}));
  EXPECT_TRUE(first.serves_status());
  EXPECT_EQ(first.stop(), ExitStatus::exited_with(0)) << first.log();
}

TEST(StartupSafety, SecondDaemonOnOneStateDirectoryIsRefused) {
  Sandbox sb;
  DaemonProcess first(sb);
  ASSERT_TRUE(first.wait_ready());

  DaemonProcess second(sb,
                       DaemonOptions().with_socket(sb.runtime_dir() / "second" / "bqbroker.sock"));
  ExitStatus st = second.wait_exit(10s);
  EXPECT_EQ(st, ExitStatus::exited_with(1)) << second.log();
  std::string log = second.log();
  bool names_lock = log.find("lock") != std::string::npos ||
                    log.find(std::to_string(first.pid())) != std::string::npos;
  EXPECT_TRUE(names_lock) << "message names neither the lock nor the other daemon:\n" << log;
  EXPECT_NE(log.find("bqbrokerd: "), std::string::npos) << log;
  EXPECT_TRUE(first.serves_status());
}

TEST(StartupSafety, LockIsReleasedWhenTheDaemonExits) {
  Sandbox sb;
  {
    DaemonProcess first(sb);
    ASSERT_TRUE(first.wait_ready());
    ASSERT_EQ(first.stop(), ExitStatus::exited_with(0)) << first.log();
  }
  DaemonProcess again(sb);
  EXPECT_TRUE(again.wait_ready());
}

TEST(StartupSafety, StartsAgainAfterACrash) {
  Sandbox sb;
  {
    DaemonProcess crashed(sb);
    ASSERT_TRUE(crashed.wait_ready());
    ASSERT_EQ(crashed.stop(SIGKILL), ExitStatus::killed_by(SIGKILL));
  }
  // The crash left its socket file behind; the lock went with the process.
  ASSERT_TRUE(fs::exists(fs::symlink_status(sb.socket_path())));
  DaemonProcess again(sb);
  ASSERT_TRUE(again.wait_ready());
  EXPECT_TRUE(again.serves_status());
}

}  // namespace
}  // namespace bqb::itest
