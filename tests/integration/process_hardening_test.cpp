// The daemon keeps its secrets out of core files and out of other processes' reach: it runs with
// RLIMIT_CORE 0 (soft and hard) and is not dumpable. Checked from outside on the real daemon, run
// as an unprivileged user (bqb-test-a), against a control process of the same user that was not
// hardened, so the checks are seen to tell the two apart.

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

/// @returns the "Max core file size" line of /proc/PID/limits, or "" when there is none.
std::string core_limit_line(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Max core file size")) return line;
  }
  return "";
}

/// @returns the owner uid of /proc/PID/environ: the process's own uid while it is dumpable,
/// root's once it is not (proc(5), PR_SET_DUMPABLE).
uid_t environ_owner(pid_t pid) {
  struct stat st {};
  const std::string path = "/proc/" + std::to_string(pid) + "/environ";
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_uid;
}

/// Waits until `pid` runs `comm` (setpriv has switched the user and exec'd it), up to 10 s.
bool wait_for_comm(pid_t pid, const std::string& comm) {
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    if (std::getline(in, name) && name == comm) return true;
    std::this_thread::yield();
  }
  return false;
}

TEST(ProcessHardening, TheDaemonHasNoCoreFileAndIsNotDumpable) {
  TestUsers users;
  ASSERT_TRUE(find_test_users(users));
  Sandbox sb;
  sb.give_to(users.a);
  DaemonProcess d(sb, DaemonOptions().with_user(users.a));
  ASSERT_TRUE(d.wait_ready());

  // The control: a process of the same user, started the same way, without the hardening.
  Child control(as_user(users.a, {"sleep", "30"}), sb.env(), Redirects{});
  ASSERT_TRUE(wait_for_comm(control.pid(), "sleep"));
  ASSERT_NE(environ_owner(control.pid()), 0u) << "the check cannot tell a dumpable process";
  EXPECT_EQ(environ_owner(control.pid()), users.a.uid);

  EXPECT_EQ(environ_owner(d.pid()), 0u) << "the daemon is dumpable";
  std::istringstream fields(core_limit_line(d.pid()).substr(sizeof("Max core file size") - 1));
  std::string soft, hard;
  fields >> soft >> hard;
  EXPECT_EQ(soft, "0");
  EXPECT_EQ(hard, "0");
  // And the daemon still serves its user.
  EXPECT_TRUE(d.wait_ready());
}

}  // namespace
}  // namespace bqb::itest
