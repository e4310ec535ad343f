// Bad input gets the API's JSON error and never takes the daemon down: oversized headers and
// bodies, malformed HTTP, unknown routes, wrong methods.

#include <string>

#include <gtest/gtest.h>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * kKiB;

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.wait_ready()); }
  void TearDown() override {
    // Whatever the test sent, the daemon is still up and serving others.
    EXPECT_TRUE(daemon_.serves_status());
    EXPECT_EQ(daemon_.stop(), ExitStatus::exited_with(0)) << daemon_.log();
  }
  Expected<RawHttp> connect() { return RawHttp::connect(daemon_.socket_path()); }

  Sandbox sandbox_;
  DaemonProcess daemon_{sandbox_};
};

TEST_F(BadInput, HeaderBlockOver8KiBGets431) {
  std::string pad = "X-Pad: " + std::string(9 * kKiB, 'a');
  auto r = http_once(daemon_.socket_path(), http_request("GET", "/v1/status", {}, {pad}));
  EXPECT_TRUE(is_api_error(r, 431, "header_too_large"));
}

TEST_F(BadInput, HeaderBlockUnder8KiBIsServed) {
  std::string pad = "X-Pad: " + std::string(7 * kKiB, 'a');
  auto r = http_once(daemon_.socket_path(), http_request("GET", "/v1/status", {}, {pad}));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200) << *r;
}

TEST_F(BadInput, BodyOver1MiBGets413) {
  auto conn = connect();
  ASSERT_TRUE(conn) << conn.error();
  // The daemon may answer as soon as it sees Content-Length and close while the body is still
  // being sent; a failed send is therefore fine, the response is what counts.
  (void)conn->send(http_request("POST", "/v1/status", std::string(kMiB + 1, '{'),
                                {"Content-Type: application/json"}));
  EXPECT_TRUE(is_api_error(conn->read_response(), 413, "payload_too_large"));
}

TEST_F(BadInput, MalformedRequestLineGets400AndClose) {
  auto conn = connect();
  ASSERT_TRUE(conn) << conn.error();
  EXPECT_TRUE(is_api_error(conn->roundtrip("THIS IS NOT HTTP\r\n\r\n"), 400, "bad_request"));
  EXPECT_TRUE(conn->wait_closed());
}

TEST_F(BadInput, MalformedHeaderLineGets400AndClose) {
  auto conn = connect();
  ASSERT_TRUE(conn) << conn.error();
  auto r = conn->roundtrip("GET /v1/status HTTP/1.1\r\nHost localhost\r\n\r\n");
  EXPECT_TRUE(is_api_error(r, 400, "bad_request"));
  EXPECT_TRUE(conn->wait_closed());
}

TEST_F(BadInput, UnknownRouteGets404AndKeepsTheConnection) {
  auto conn = connect();
  ASSERT_TRUE(conn) << conn.error();
  for (const char* target : {"/v1/nope", "/", "/v1/status/extra", "/v2/status"}) {
    EXPECT_TRUE(is_api_error(conn->roundtrip(http_request("GET", target)), 404, "not_found"))
        << target;
  }
  auto ok = conn->roundtrip(http_request("GET", "/v1/status"));
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->status, 200) << *ok;
}

TEST_F(BadInput, WrongMethodGets405WithAllow) {
  auto conn = connect();
  ASSERT_TRUE(conn) << conn.error();
  for (const char* method : {"POST", "DELETE", "PUT"}) {
    auto r = conn->roundtrip(http_request(method, "/v1/status", "{}"));
    EXPECT_TRUE(is_api_error(r, 405, "method_not_allowed")) << method;
    if (r) {
      EXPECT_NE(r->header("allow").find("GET"), std::string::npos) << *r;
    }
  }
}

TEST_F(BadInput, BrokenJsonBodyGets400InvalidJsonAndKeepsTheConnection) {
  auto conn = connect();
  ASSERT_TRUE(conn) << conn.error();
  struct Case {
    const char* body;
    const char* says;  // the message names the problem
  };
  for (Case c : {Case{"{\"client_secrets\": ", "JSON"}, Case{"[1, 2]", "object"},
                 Case{"{\"scopes\": \"bigquery\"}", "scopes"}, Case{"\xff\xfe{}", "JSON"}}) {
    auto r = conn->roundtrip(
        http_request("POST", "/v1/login", c.body, {"Content-Type: application/json"}));
    ASSERT_TRUE(is_api_error(r, 400, "invalid_json")) << c.body;
    EXPECT_NE(r->json()["error"]["message"].get<std::string>().find(c.says), std::string::npos)
        << *r;
  }
  // The daemon is unharmed and the connection still serves.
  auto ok = conn->roundtrip(http_request("GET", "/v1/status"));
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->status, 200) << *ok;
}

}  // namespace
}  // namespace bqb::itest
