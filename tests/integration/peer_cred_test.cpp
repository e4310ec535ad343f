// Only the daemon's own uid is served: a peer with another uid gets 403 and the refusal is
// logged with its uid and pid — even when the socket's permissions would let it connect.
// The daemon runs as bqb-test-a, the other client as bqb-test-b (scripts/test-users.sh); the
// test runs as root to start them and fails, not skips, when it cannot.

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

namespace fs = std::filesystem;

/// GET /v1/status with curl run as `user`. @returns curl's result; the response's body and
/// status code are in `resp` when curl succeeded.
ProcessResult curl_status_as(const TestUser& user, const fs::path& socket, const Environment& env,
                             HttpResponse& resp) {
  auto r = run_process(
      as_user(user, {"curl", "-sS", "--max-time", "10", "--unix-socket", socket.string(),
                     "--write-out", "\n%{http_code}", "http://localhost/v1/status"}),
      env);
  auto nl = r.out.rfind('\n');
  if (r.status.success() && nl != std::string::npos) {
    resp.status = std::stoi(r.out.substr(nl + 1));
    resp.body = r.out.substr(0, nl);
    resp.headers.emplace("content-type", "application/json");  // curl -s hides it; body checked
  }
  return r;
}

TEST(PeerCredentials, OtherUidIsRefusedWith403AndLogged) {
  TestUsers users;
  ASSERT_TRUE(find_test_users(users));
  Sandbox sb;
  sb.give_to(users.a);
  DaemonProcess d(sb, DaemonOptions().with_user(users.a));
  ASSERT_TRUE(d.wait_ready());

  // Loosen everything on the way to the socket so that the connection reaches the daemon:
  // only the daemon's own check stands between the other user and the API.
  for (const auto& dir : {sb.root(), sb.runtime_dir(), sb.socket_dir()}) {
    fs::permissions(dir, static_cast<fs::perms>(0711), fs::perm_options::replace);
  }
  fs::permissions(d.socket_path(), static_cast<fs::perms>(0666), fs::perm_options::replace);

  HttpResponse resp;
  auto r = curl_status_as(users.b, d.socket_path(), sb.env(), resp);
  ASSERT_TRUE(r.status.success()) << r;
  EXPECT_TRUE(is_api_error(resp, 403, "forbidden"));
  EXPECT_EQ(resp.json().dump().find("\"pid\""), std::string::npos) << "status leaked: " << r;

  // setpriv execs curl, so the peer's pid is the one we spawned.
  EXPECT_TRUE(d.wait_for_log(
      {"refused", "uid=" + std::to_string(users.b.uid), "pid=" + std::to_string(r.pid)}));

  // The daemon's own user is still served on the loosened socket.
  HttpResponse own;
  auto served = curl_status_as(users.a, d.socket_path(), sb.env(), own);
  ASSERT_TRUE(served.status.success()) << served;
  EXPECT_EQ(own.status, 200) << served;
  EXPECT_EQ(own.json().value("pid", -1), d.pid()) << served;
  EXPECT_EQ(d.stop(), ExitStatus::exited_with(0)) << d.log();
}

}  // namespace
}  // namespace bqb::itest
