// Connections that idle or send too slowly are closed after [server] request_timeout_seconds;
// connections over [server] max_connections get 503 too_many_connections; a request whose path
// decodes to bytes that are not UTF-8 gets its answer and gives its connection's slot back.

#include <chrono>
#include <vector>

#include <gtest/gtest.h>
#include <poll.h>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

std::string config_with_server(std::string_view server_keys) {
  return std::string(kTestConfig) + "\n[server]\n" + std::string(server_keys);
}

class RequestTimeout : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.wait_ready()); }
  void TearDown() override { EXPECT_TRUE(daemon_.serves_status()); }

  /// Waits for the daemon to close `conn`, and checks that it waited for the 1 s timeout
  /// rather than closing at once.
  void expect_closed_after_timeout(RawHttp& conn, Clock::time_point idle_since) {
    EXPECT_TRUE(conn.wait_closed(10s));
    EXPECT_GE(Clock::now() - idle_since, 900ms) << "closed before request_timeout_seconds = 1";
  }

  Sandbox sandbox_;
  DaemonProcess daemon_{
      sandbox_, DaemonOptions().with_config(config_with_server("request_timeout_seconds = 1\n"))};
};

TEST_F(RequestTimeout, ConnectionThatNeverSendsIsClosed) {
  auto conn = RawHttp::connect(daemon_.socket_path());
  ASSERT_TRUE(conn) << conn.error();
  expect_closed_after_timeout(*conn, Clock::now());
}

TEST_F(RequestTimeout, HalfSentRequestIsClosed) {
  auto conn = RawHttp::connect(daemon_.socket_path());
  ASSERT_TRUE(conn) << conn.error();
  ASSERT_TRUE(conn->send("GET /v1/status HTTP/1.1\r\nHo"));
  expect_closed_after_timeout(*conn, Clock::now());
}

TEST_F(RequestTimeout, HalfSentBodyIsClosed) {
  auto conn = RawHttp::connect(daemon_.socket_path());
  ASSERT_TRUE(conn) << conn.error();
  ASSERT_TRUE(
      conn->send("POST /v1/status HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{"));
  expect_closed_after_timeout(*conn, Clock::now());
}

TEST_F(RequestTimeout, KeepAliveConnectionIdleAfterAResponseIsClosed) {
  auto conn = RawHttp::connect(daemon_.socket_path());
  ASSERT_TRUE(conn) << conn.error();
  auto r = conn->roundtrip(http_request("GET", "/v1/status"));
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->status, 200) << *r;
  expect_closed_after_timeout(*conn, Clock::now());
}

TEST(MaxConnections, ConnectionsOverTheCapGet503AndAreClosed) {
  Sandbox sb;
  DaemonProcess d(sb, DaemonOptions().with_config(config_with_server("max_connections = 2\n")));
  ASSERT_TRUE(d.wait_ready());

  // Two connections, each proven accepted and served, hold the cap.
  std::vector<RawHttp> held;
  for (int i = 0; i < 2; ++i) {
    auto conn = RawHttp::connect(d.socket_path());
    ASSERT_TRUE(conn) << conn.error();
    auto r = conn->roundtrip(http_request("GET", "/v1/status"));
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->status, 200) << *r;
    held.push_back(std::move(*conn));
  }

  auto over = RawHttp::connect(d.socket_path());
  ASSERT_TRUE(over) << over.error();
  // The daemon may answer before reading a request; sending one must not be needed, but a
  // client normally sends it, so do (a refused send is fine).
  (void)over->send(http_request("GET", "/v1/status"));
  EXPECT_TRUE(is_api_error(over->read_response(), 503, "too_many_connections"));
  EXPECT_TRUE(over->wait_closed());

  // Freeing a slot lets a new client in. The daemon learns of the close asynchronously, so
  // retry (bounded) until it has.
  held.pop_back();
  auto deadline = Clock::now() + 10s;
  int last_status = 0;
  while (Clock::now() < deadline) {
    auto r = http_once(d.socket_path(), http_request("GET", "/v1/status"));
    last_status = r ? r->status : 0;
    if (last_status == 200) break;
    ::poll(nullptr, 0, 20);
  }
  EXPECT_EQ(last_status, 200) << "no slot freed after closing a connection";
  EXPECT_EQ(d.stop(), ExitStatus::exited_with(0)) << d.log();
}

// GET /%FF once put the decoded byte into the 404's JSON message; serialising it threw, and the
// connection's coroutine ended without giving its slot back: 32 such requests switched a daemon
// with max_connections = 32 off for good. Each must be answered and the daemon keep serving.
TEST(MaxConnections, PathsThatAreNotUtf8AreAnsweredAndLeakNoSlot) {
  Sandbox sb;
  DaemonProcess d(sb, DaemonOptions().with_config(config_with_server("max_connections = 32\n")));
  ASSERT_TRUE(d.wait_ready());

  const std::vector<std::string> targets = {"/%FF", "/v1/accounts/%FF%FE", "/v1/%C3%28/x",
                                            "/v1/accounts/%ED%A0%80"};
  for (int i = 0; i < 80; ++i) {
    const auto& target = targets[static_cast<std::size_t>(i) % targets.size()];
    auto r = http_once(d.socket_path(), http_request("GET", target));
    ASSERT_TRUE(r) << "request " << i << " (" << target << "): " << r.error() << "\n" << d.log();
    ASSERT_GE(r->status, 400) << *r;
    ASSERT_LT(r->status, 500) << *r;
    ASSERT_FALSE(r->json().is_discarded()) << "not JSON: " << *r;
    ASSERT_TRUE(r->json().contains("error")) << *r;
  }
  // The unknown path is quoted as it was sent, not as undecodable bytes.
  auto r = http_once(d.socket_path(), http_request("GET", "/%FF"));
  ASSERT_TRUE(is_api_error(r, 404, "not_found"));
  EXPECT_NE(r->json()["error"]["message"].get<std::string>().find("/%FF"), std::string::npos)
      << *r;
  EXPECT_TRUE(d.serves_status()) << d.log();
  EXPECT_EQ(d.log().find("\xFF"), std::string::npos);
  EXPECT_EQ(d.stop(), ExitStatus::exited_with(0)) << d.log();
}

}  // namespace
}  // namespace bqb::itest
