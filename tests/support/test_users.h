#pragma once
// The two unprivileged users that scripts/test-users.sh creates, and running a process as one of
// them (setpriv from util-linux). The integration tests themselves run as bqb-test-a
// (tests/support/as-test-user.sh), keeping only the capabilities to switch users and chown; a
// test that needs the users FAILS, never skips, when it cannot have them: a security check that
// quietly does not run is worse than a red test.

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <sys/types.h>

namespace bqb::itest {

struct TestUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

/// bqb-test-a, "the user": runs bqbrokerd and the CLI. bqb-test-b, "another local user".
struct TestUsers {
  TestUser a;
  TestUser b;
};

/// Fills `out` from the user database. Fails, saying what to do, when this process cannot switch
/// users (neither root nor CAP_SETUID + CAP_SETGID) or when scripts/test-users.sh has not
/// created the users.
::testing::AssertionResult find_test_users(TestUsers& out);

/// @returns `argv` prefixed so that it runs as `user`: real and effective uid and gid, no
/// supplementary groups, no capabilities (setpriv --reuid --regid --clear-groups --inh-caps
/// --ambient-caps; setpriv execs, so the pid is the program's own).
std::vector<std::string> as_user(const TestUser& user, std::vector<std::string> argv);

/// @returns whether `argv` is one that as_user made (it starts setpriv, which needs UserSwitch).
bool is_user_switch(const std::vector<std::string>& argv);

/// While alive, the calling thread's children inherit CAP_SETUID and CAP_SETGID (as inheritable
/// and ambient capabilities): what setpriv needs to switch users when this process is not root.
/// Children started at other times get no capability. Capabilities are per thread, so this does not
/// leak into a spawn by another thread.
class UserSwitch {
 public:
  UserSwitch();
  ~UserSwitch();
  UserSwitch(const UserSwitch&) = delete;
  UserSwitch& operator=(const UserSwitch&) = delete;

  /// @returns whether this thread has capability `cap` (CAP_*) in its effective set.
  static bool has_effective(int cap);

 private:
  bool lent_ = false;
};

}  // namespace bqb::itest
