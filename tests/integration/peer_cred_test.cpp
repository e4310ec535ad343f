// Only the daemon's own uid is served: a peer with another uid gets 403 and the refusal is
// logged with its uid and pid — even when the socket's permissions would let it connect.

#include <filesystem>

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/integration/harness/harness.h"

namespace bqb::itest {
namespace {

namespace fs = std::filesystem;

constexpr int kNobodyUid = 65534;

TEST(PeerCredentials, OtherUidIsRefusedWith403AndLogged) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a client as nobody (setpriv)";
  Sandbox sb;
  DaemonProcess d(sb);
  ASSERT_TRUE(d.wait_ready());

  // Loosen everything on the way to the socket so that the connection reaches the daemon:
  // only the daemon's own check stands between nobody and the API.
  for (const auto& dir : {sb.root(), sb.runtime_dir(), sb.socket_dir()}) {
    fs::permissions(dir, static_cast<fs::perms>(0711), fs::perm_options::replace);
  }
  fs::permissions(d.socket_path(), static_cast<fs::perms>(0666), fs::perm_options::replace);

  auto r = run_process({"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "curl",
                        "-sS", "--max-time", "10", "--unix-socket", d.socket_path().string(),
                        "--write-out", "\n%{http_code}", "http://localhost/v1/status"},
                       sb.env());
  ASSERT_TRUE(r.status.success()) << r;
  auto nl = r.out.rfind('\n');
  ASSERT_NE(nl, std::string::npos) << r;
  HttpResponse resp;
  resp.status = std::stoi(r.out.substr(nl + 1));
  resp.body = r.out.substr(0, nl);
  resp.headers.emplace("content-type", "application/json");  // curl -s hides it; body is checked
  EXPECT_TRUE(is_api_error(resp, 403, "forbidden"));
  EXPECT_EQ(resp.json().dump().find("\"pid\""), std::string::npos) << "status leaked: " << r;

  // setpriv execs curl, so the peer's pid is the one we spawned.
  EXPECT_TRUE(d.wait_for_log(
      {"refused", "uid=" + std::to_string(kNobodyUid), "pid=" + std::to_string(r.pid)}));
  // The daemon's own user is still served on the loosened socket.
  EXPECT_TRUE(d.serves_status());
  EXPECT_EQ(d.stop(), ExitStatus::exited_with(0)) << d.log();
}

}  // namespace
}  // namespace bqb::itest
