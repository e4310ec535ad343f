#include "tests/support/test_users.h"

#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bqb::itest {
namespace {

std::optional<TestUser> lookup(const char* name) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwnam_r(name, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return TestUser{name, found->pw_uid, found->pw_gid};
}

// The calling thread's capability sets (capget/capset act on one thread).
struct CapSets {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  bool read() { return ::syscall(SYS_capget, &header, data) == 0; }
  bool write() { return ::syscall(SYS_capset, &header, data) == 0; }
  static std::uint32_t bit(int cap) { return 1u << (cap % 32); }
};

// tests/support/as-test-user.sh hands the test process its capabilities as inheritable and
// ambient ones, which every program it starts would inherit (the inheritable set survives any
// execve). Clear both before main() (and so before any thread or child): the daemons and CLIs
// under test start with no capability at all, while this process keeps its permitted and
// effective ones. UserSwitch lends two back, for one spawn of setpriv.
const bool kInheritanceCleared = [] {
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  CapSets caps;
  if (caps.read()) {
    caps.data[0].inheritable = caps.data[1].inheritable = 0;
    caps.write();
  }
  return true;
}();

/// @returns whether this thread may switch users: root, or CAP_SETUID and CAP_SETGID in effect.
bool can_switch_users() {
  if (::geteuid() == 0) return true;
  return UserSwitch::has_effective(CAP_SETUID) && UserSwitch::has_effective(CAP_SETGID);
}

}  // namespace

bool UserSwitch::has_effective(int cap) {
  CapSets caps;
  return caps.read() && (caps.data[cap / 32].effective & CapSets::bit(cap)) != 0;
}

UserSwitch::UserSwitch() {
  (void)kInheritanceCleared;
  if (::geteuid() == 0) return;  // root's setpriv needs nothing lent
  // An ambient capability must be permitted and inheritable first.
  CapSets caps;
  if (!caps.read()) return;
  for (int cap : {CAP_SETUID, CAP_SETGID}) caps.data[cap / 32].inheritable |= CapSets::bit(cap);
  if (!caps.write()) return;
  lent_ = true;
  for (int cap : {CAP_SETUID, CAP_SETGID}) ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
}

UserSwitch::~UserSwitch() {
  if (!lent_) return;
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  CapSets caps;
  if (caps.read()) {
    caps.data[0].inheritable = caps.data[1].inheritable = 0;
    caps.write();
  }
}

bool is_user_switch(const std::vector<std::string>& argv) {
  return !argv.empty() && argv.front() == "setpriv";
}

::testing::AssertionResult find_test_users(TestUsers& out) {
  if (!can_switch_users()) {
    return ::testing::AssertionFailure()
           << "this test starts processes as other users (setpriv) and needs CAP_SETUID and "
              "CAP_SETGID: run it through ctest, which starts it as bqb-test-a with them "
              "(tests/support/as-test-user.sh), or as root; it runs as uid "
           << ::geteuid();
  }
  auto a = lookup("bqb-test-a");
  auto b = lookup("bqb-test-b");
  if (!a || !b) {
    return ::testing::AssertionFailure()
           << "the test users bqb-test-a and bqb-test-b do not exist: run scripts/test-users.sh "
              "(as root; scripts/test.sh does)";
  }
  out = TestUsers{*a, *b};
  return ::testing::AssertionSuccess();
}

std::vector<std::string> as_user(const TestUser& user, std::vector<std::string> argv) {
  // The program itself gets no capability, whatever setpriv needed to switch.
  std::vector<std::string> out{"setpriv",
                               "--reuid=" + std::to_string(user.uid),
                               "--regid=" + std::to_string(user.gid),
                               "--clear-groups",
                               "--inh-caps=-all",
                               "--ambient-caps=-all",
                               "--"};
  out.insert(out.end(), std::make_move_iterator(argv.begin()), std::make_move_iterator(argv.end()));
  return out;
}

}  // namespace bqb::itest
