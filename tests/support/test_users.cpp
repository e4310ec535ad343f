#include "tests/support/test_users.h"

#include <pwd.h>
#include <unistd.h>

#include <optional>

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

}  // namespace

::testing::AssertionResult find_test_users(TestUsers& out) {
  if (::geteuid() != 0) {
    return ::testing::AssertionFailure()
           << "this test runs processes as other users (setpriv) and must run as root, as "
              "scripts/test.sh does; it runs as uid "
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
  std::vector<std::string> out{"setpriv", "--reuid=" + std::to_string(user.uid),
                               "--regid=" + std::to_string(user.gid), "--clear-groups"};
  out.insert(out.end(), std::make_move_iterator(argv.begin()), std::make_move_iterator(argv.end()));
  return out;
}

}  // namespace bqb::itest
