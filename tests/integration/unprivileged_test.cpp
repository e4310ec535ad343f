// The integration suite runs as an ordinary user, as bqbroker does on a user's machine: the test
// process is bqb-test-a (tests/support/as-test-user.sh), and every daemon it starts runs as that
// user with no capability at all; "another user" is bqb-test-b, just as unprivileged.

#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

/// @returns the "Name:\tvalue" lines of /proc/PID/status.
std::map<std::string, std::string> proc_status(pid_t pid) {
  std::map<std::string, std::string> out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    out[line.substr(0, colon)] = value;
  }
  return out;
}

::testing::AssertionResult runs_unprivileged_as(pid_t pid, const TestUser& user) {
  auto status = proc_status(pid);
  if (status.empty()) return ::testing::AssertionFailure() << "no /proc/" << pid << "/status";
  const std::string uid = std::to_string(user.uid);
  const std::string gid = std::to_string(user.gid);
  // Real, effective, saved and filesystem ids.
  const std::string uids = uid + "\t" + uid + "\t" + uid + "\t" + uid;
  const std::string gids = gid + "\t" + gid + "\t" + gid + "\t" + gid;
  if (status["Uid"] != uids || status["Gid"] != gids) {
    return ::testing::AssertionFailure() << "pid " << pid << " runs as Uid " << status["Uid"]
                                         << ", Gid " << status["Gid"] << "; expected " << uids;
  }
  for (const char* set : {"CapInh", "CapPrm", "CapEff", "CapAmb"}) {
    if (status[set] != "0000000000000000") {
      return ::testing::AssertionFailure() << "pid " << pid << " has " << set << " " << status[set];
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(Unprivileged, TheTestsRunAsTheTestUserNotRoot) {
  TestUsers users;
  ASSERT_TRUE(find_test_users(users));
  EXPECT_EQ(::getuid(), users.a.uid);
  EXPECT_EQ(::geteuid(), users.a.uid);
  EXPECT_EQ(::getgid(), users.a.gid);
}

TEST(Unprivileged, TheDaemonRunsAsTheTestUserWithNoCapability) {
  TestUsers users;
  ASSERT_TRUE(find_test_users(users));
  Sandbox sb;
  DaemonProcess d(sb);
  ASSERT_TRUE(d.wait_ready());
  EXPECT_TRUE(runs_unprivileged_as(d.pid(), users.a));
  // The test process, as the same user, is the daemon's own client.
  EXPECT_TRUE(d.serves_status());
  EXPECT_EQ(d.stop(), ExitStatus::exited_with(0)) << d.log();
}

TEST(Unprivileged, AnotherUsersProgramHasNoCapabilityEither) {
  TestUsers users;
  ASSERT_TRUE(find_test_users(users));
  Sandbox sb;
  // It ends by itself: the test, as a, may not signal b's process (nor wait 30 s in ~Child).
  Child other(as_user(users.b, {"sleep", "3"}), sb.env(), Redirects{});
  // setpriv execs sleep: poll until the pid is sleep itself, running as b.
  auto deadline = Clock::now() + 2s;
  ::testing::AssertionResult last = ::testing::AssertionFailure() << "not checked";
  while (Clock::now() < deadline) {
    last = runs_unprivileged_as(other.pid(), users.b);
    if (last && proc_status(other.pid())["Name"] == "sleep") break;
    ::poll(nullptr, 0, 10);
  }
  EXPECT_TRUE(last);
  EXPECT_EQ(proc_status(other.pid())["Name"], "sleep");
}

}  // namespace
}  // namespace bqb::itest
