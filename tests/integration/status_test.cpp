// GET /v1/status on the real daemon, over raw HTTP and with curl: what it reports, keep-alive,
// and the daemon's own command line (--version, --help).

#include <gtest/gtest.h>

#include "bqbroker_version.h"
#include "proto/api.h"
#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

TEST(Status, ReportsVersionPidSocketStoreAndNoAccounts) {
  Sandbox sb;
  DaemonProcess d(sb);
  ASSERT_TRUE(d.wait_ready());

  auto r = http_once(d.socket_path(), http_request("GET", "/v1/status"));
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->status, 200) << *r;
  EXPECT_EQ(r->header("content-type").rfind("application/json", 0), 0u) << *r;
  auto j = r->json();
  ASSERT_TRUE(j.is_object()) << *r;
  EXPECT_EQ(j.value("version", ""), kVersion);
  EXPECT_EQ(j.value("pid", -1), d.pid());
  EXPECT_EQ(j.value("socket", ""), d.socket_path().string());
  EXPECT_EQ(j.value("store", ""), "memory");
  ASSERT_TRUE(j.contains("uptime_seconds") && j["uptime_seconds"].is_number_integer()) << *r;
  EXPECT_GE(j["uptime_seconds"].get<long>(), 0);
  ASSERT_TRUE(j.contains("accounts") && j["accounts"].is_array()) << *r;
  EXPECT_TRUE(j["accounts"].empty());
  // The shared API type reads what the daemon wrote.
  auto parsed = api::parse_status_response(j);
  EXPECT_TRUE(parsed) << parsed.error().message;
}

TEST(Status, KeepAliveServesSeveralRequestsOnOneConnection) {
  Sandbox sb;
  DaemonProcess d(sb);
  ASSERT_TRUE(d.wait_ready());

  auto conn = RawHttp::connect(d.socket_path());
  ASSERT_TRUE(conn) << conn.error();
  for (int i = 0; i < 3; ++i) {
    auto r = conn->roundtrip(http_request("GET", "/v1/status"));
    ASSERT_TRUE(r) << "request " << i << ": " << r.error();
    EXPECT_EQ(r->status, 200) << *r;
    EXPECT_TRUE(r->keep_alive) << *r;
  }
  // Pipelined: two requests in one write get two responses, in order.
  ASSERT_TRUE(conn->send(http_request("GET", "/v1/status") + http_request("GET", "/v1/nope")));
  auto first = conn->read_response();
  auto second = conn->read_response();
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(first->status, 200) << *first;
  EXPECT_EQ(second->status, 404) << *second;
}

TEST(Status, CurlOverTheUnixSocketWorks) {
  Sandbox sb;
  DaemonProcess d(sb);
  ASSERT_TRUE(d.wait_ready());

  auto r = run_process({"curl", "-sS", "--max-time", "10", "--unix-socket",
                        d.socket_path().string(), "http://localhost/v1/status"},
                       sb.env());
  ASSERT_TRUE(r.status.success()) << r;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r;
  EXPECT_EQ(j.value("pid", -1), d.pid());
}

TEST(DaemonCommandLine, VersionPrintsTheBuildVersion) {
  Sandbox sb;
  auto r = run_process({daemon_binary(), "--version"}, sb.env());
  EXPECT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  EXPECT_NE(r.out.find(kVersion), std::string::npos) << r;
}

TEST(DaemonCommandLine, HelpNamesTheOptions) {
  Sandbox sb;
  auto r = run_process({daemon_binary(), "--help"}, sb.env());
  EXPECT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  for (const char* opt : {"--socket", "--config", "--log-level", "--version"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt << " missing from:\n" << r;
  }
}

TEST(DaemonCommandLine, UnknownOptionFailsWithAMessage) {
  Sandbox sb;
  auto r = run_process({daemon_binary(), "--no-such-option"}, sb.env());
  EXPECT_EQ(r.status.kind, ExitStatus::Kind::exited) << r;
  EXPECT_NE(r.status.value, 0) << r;
  EXPECT_NE(r.err.find("--no-such-option"), std::string::npos) << r;
}

}  // namespace
}  // namespace bqb::itest
