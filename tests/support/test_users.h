#pragma once
// The two unprivileged users that scripts/test-users.sh creates, and running a process as one of
// them (setpriv from util-linux). Tests that need them run as root and FAIL, never skip, when
// they cannot have them: a security check that quietly does not run is worse than a red test.

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

/// Fills `out` from the user database. Fails, saying what to do, when this process is not root
/// (setpriv and chown need it) or when scripts/test-users.sh has not created the users.
::testing::AssertionResult find_test_users(TestUsers& out);

/// @returns `argv` prefixed so that it runs as `user`: real and effective uid and gid, no
/// supplementary groups (setpriv --reuid --regid --clear-groups; setpriv execs, so the pid is
/// the program's own).
std::vector<std::string> as_user(const TestUser& user, std::vector<std::string> argv);

}  // namespace bqb::itest
