// SIGTERM and SIGINT: the daemon says STOPPING=1, stops, removes the socket it created and exits
// 0, answering requests in flight but not waiting on idle connections beyond
// [server] shutdown_grace_seconds.

#include <poll.h>

#include <csignal>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

namespace fs = std::filesystem;

class Shutdown : public ::testing::TestWithParam<int> {};

TEST_P(Shutdown, ExitsZeroAndRemovesItsSocket) {
  Sandbox sb;
  DaemonProcess d(sb);
  ASSERT_TRUE(d.wait_ready());
  ASSERT_TRUE(d.serves_status());

  EXPECT_EQ(d.stop(GetParam()), ExitStatus::exited_with(0)) << d.log();
  EXPECT_TRUE(d.notified("STOPPING=1"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(d.socket_path())))
      << "socket file left behind: " << d.socket_path();
}

INSTANTIATE_TEST_SUITE_P(Signals, Shutdown, ::testing::Values(SIGTERM, SIGINT),
                         [](const auto& p) { return std::string(sigabbrev_np(p.param)); });

TEST(ShutdownWithClients, IdleKeepAliveConnectionDoesNotHoldItUp) {
  Sandbox sb;
  DaemonProcess d(sb, DaemonOptions().with_config(std::string(kTestConfig) +
                                                  "\n[server]\nrequest_timeout_seconds = 60\n"
                                                  "shutdown_grace_seconds = 1\n"));
  ASSERT_TRUE(d.wait_ready());
  auto conn = RawHttp::connect(d.socket_path());
  ASSERT_TRUE(conn) << conn.error();
  auto r = conn->roundtrip(http_request("GET", "/v1/status"));
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->status, 200) << *r;

  // The request timeout (60 s) is far beyond the stop's bound (10 s): only the shutdown itself
  // can close this connection in time.
  EXPECT_EQ(d.stop(SIGTERM, 10s), ExitStatus::exited_with(0)) << d.log();
  EXPECT_TRUE(conn->wait_closed(1s));
  EXPECT_FALSE(fs::exists(fs::symlink_status(d.socket_path())));
}

TEST(ShutdownWithClients, HalfSentRequestDoesNotHoldItUp) {
  Sandbox sb;
  DaemonProcess d(sb, DaemonOptions().with_config(std::string(kTestConfig) +
                                                  "\n[server]\nrequest_timeout_seconds = 60\n"
                                                  "shutdown_grace_seconds = 1\n"));
  ASSERT_TRUE(d.wait_ready());
  auto conn = RawHttp::connect(d.socket_path());
  ASSERT_TRUE(conn) << conn.error();
  ASSERT_TRUE(conn->send("GET /v1/status HTTP/1.1\r\nHost: loc"));
  ASSERT_TRUE(d.serves_status());  // the half-sent request has been accepted by now

  EXPECT_EQ(d.stop(SIGTERM, 10s), ExitStatus::exited_with(0)) << d.log();
  EXPECT_TRUE(conn->wait_closed(1s));
}

TEST(ShutdownWithClients, InFlightRequestIsAnsweredBeforeExit) {
  Sandbox sb;
  FakeGoogle fake(sb);
  DaemonProcess d(sb, DaemonOptions().with_config(std::string(kTestConfig) +
                                                  "\n[server]\nshutdown_grace_seconds = 10\n"));
  ASSERT_TRUE(d.wait_ready());
  auto login = login_through_browser(d, fake, "inflight@example.com");
  ASSERT_TRUE(login) << login.error();

  // The token request reaches the fake, whose answer is held back for 2 s: the request is in
  // flight in the daemon when SIGTERM arrives.
  fake.control("POST", "/faults", {{"delay_ms", 2000}, {"grant_type", "refresh_token"}});
  const int before = fake.control("GET", "/stats")["token_requests"]["total"].get<int>();
  auto conn = RawHttp::connect(d.socket_path());
  ASSERT_TRUE(conn) << conn.error();
  ASSERT_TRUE(conn->send(http_request("GET", "/v1/token")));
  const auto deadline = Clock::now() + 10s;
  while (fake.control("GET", "/stats")["token_requests"]["total"].get<int>() == before) {
    ASSERT_LT(Clock::now(), deadline) << "the refresh never reached the fake";
    ::poll(nullptr, 0, 10);  // the next look at the fake's counters
  }
  ASSERT_EQ(::kill(d.pid(), SIGTERM), 0);

  // The answer still comes, whole, and then the daemon exits cleanly.
  auto r = conn->read_response(10s);
  ASSERT_TRUE(r) << r.error() << "\n" << d.log();
  EXPECT_EQ(r->status, 200) << *r;
  EXPECT_FALSE(r->json().value("access_token", "").empty()) << *r;
  EXPECT_EQ(d.wait_exit(15s), ExitStatus::exited_with(0)) << d.log();
  EXPECT_TRUE(log_free_of(d.log(), fake.issued_secrets()));
}

}  // namespace
}  // namespace bqb::itest
