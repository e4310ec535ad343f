// DaemonClient's connection (the socket, keep-alive, reconnects, a daemon that misbehaves) and
// its request/response calls; the NDJSON streams are in daemon_client_stream_test.cpp.

#include "client/lib/daemon_client.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/fake_daemon.h"

namespace bqb::client {
namespace {

using bqb::testing::FakeConn;
using bqb::testing::FakeDaemon;
using bqb::testing::http_response;
using bqb::testing::RequestLog;
using bqb::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kStatusBody =
    R"({"version":"0.1.0","pid":42,"uptime_seconds":7,"socket":"/s","store":"memory","accounts":[]})";

TEST(DaemonClient, ReturnsTheJsonBodyOfA200) {
  RequestLog seen;
  FakeDaemon daemon([&](FakeConn& c) {
    while (auto req = c.read_request()) {
      seen.add(*req);
      c.write(http_response(200, "OK", kStatusBody));
    }
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto res = client->request("GET", "/v1/status");
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body["pid"], 42);
  EXPECT_EQ(res->body["store"], "memory");
  auto requests = seen.get();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0], StartsWith("GET /v1/status HTTP/1.1\r\n"));
  EXPECT_THAT(requests[0], HasSubstr("Host: localhost\r\n"));
}

TEST(DaemonClient, SendsAJsonBody) {
  RequestLog seen;
  FakeDaemon daemon([&](FakeConn& c) {
    while (auto req = c.read_request()) {
      seen.add(*req);
      c.write(http_response(201, "Created", R"({"ok":true})"));
    }
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto res = client->request("POST", "/v1/thing", nlohmann::json{{"a", 1}});
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body["ok"], true);
  auto requests = seen.get();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0], StartsWith("POST /v1/thing HTTP/1.1\r\n"));
  EXPECT_THAT(requests[0], HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_THAT(requests[0], HasSubstr("\r\n\r\n{\"a\":1}"));
}

TEST(DaemonClient, AnEmptyBodyIsNull) {
  FakeDaemon daemon([](FakeConn& c) {
    while (c.read_request()) c.write("HTTP/1.1 204 No Content\r\n\r\n");
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto res = client->request("DELETE", "/v1/thing");
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 204);
  EXPECT_TRUE(res->body.is_null());
}

TEST(DaemonClient, TurnsTheErrorEnvelopeIntoAnError) {
  FakeDaemon daemon([](FakeConn& c) {
    while (c.read_request()) {
      c.write(http_response(
          401, "Unauthorized",
          R"({"error":{"code":"needs_login","message":"a@b.c needs login","hint":"run it"}})"));
    }
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto res = client->request("GET", "/v1/token");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), (Error{Errc::needs_login, "a@b.c needs login", "run it"}));
}

TEST(DaemonClient, ANon2xxWithoutEnvelopeIsInternalNamingTheStatus) {
  FakeDaemon daemon([](FakeConn& c) {
    while (c.read_request()) c.write(http_response(502, "Bad Gateway", "<html>oops</html>"));
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto res = client->request("GET", "/v1/status");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::internal);
  EXPECT_THAT(res.error().message, HasSubstr("GET /v1/status with HTTP 502"));
}

TEST(DaemonClient, A2xxBodyThatIsNotJsonIsInvalidJson) {
  FakeDaemon daemon([](FakeConn& c) {
    while (c.read_request()) c.write(http_response(200, "OK", "not json"));
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto res = client->request("GET", "/v1/status");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::invalid_json);
  EXPECT_THAT(res.error().message, HasSubstr("GET /v1/status"));
}

TEST(DaemonClient, NoSocketFileIsDaemonUnreachableWithHowToStartIt) {
  TempDir dir;
  auto path = dir.path() / "bqbroker.sock";
  auto client = DaemonClient::connect(path);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Errc::daemon_unreachable);
  EXPECT_THAT(client.error().message, HasSubstr(path.string()));
  EXPECT_THAT(client.error().hint, HasSubstr("systemctl --user start bqbroker.socket"));
  EXPECT_THAT(client.error().hint, HasSubstr("bqbrokerd &"));
}

TEST(DaemonClient, AStaleSocketFileIsDaemonUnreachable) {
  TempDir dir;
  auto path = dir.path() / "bqbroker.sock";
  {
    // A socket file whose listener is gone, as a crashed daemon leaves it: ECONNREFUSED.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    ::close(fd);
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  auto client = DaemonClient::connect(path);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Errc::daemon_unreachable);
  EXPECT_THAT(client.error().message, HasSubstr(path.string()));
  EXPECT_THAT(client.error().hint, HasSubstr("systemctl --user start bqbroker.socket"));
}

TEST(DaemonClient, APathTooLongForSockaddrIsAnErrorNotACrash) {
  auto client = DaemonClient::connect("/tmp/" + std::string(200, 'x'));
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Errc::daemon_unreachable);
  EXPECT_THAT(client.error().message, HasSubstr("longer than"));
}

TEST(DaemonClient, KeepsTheConnectionAliveAcrossRequests) {
  RequestLog seen;
  FakeDaemon daemon([&](FakeConn& c) {
    while (auto req = c.read_request()) {
      seen.add(*req);
      c.write(http_response(200, "OK", R"({"n":)" + std::to_string(seen.get().size()) + "}"));
    }
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto first = client->request("GET", "/v1/status");
  auto second = client->request("GET", "/v1/status");
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(first->body["n"], 1);
  EXPECT_EQ(second->body["n"], 2);
  EXPECT_EQ(daemon.connections(), 1);
}

TEST(DaemonClient, ReconnectsWhenTheDaemonClosedTheIdleConnection) {
  // The daemon answers one request per connection and then closes it without saying so, as it
  // does when a kept-alive connection idles out.
  FakeDaemon daemon([](FakeConn& c) {
    if (c.read_request()) c.write(http_response(200, "OK", kStatusBody));
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto first = client->request("GET", "/v1/status");
  ASSERT_TRUE(first) << first.error().message;
  auto second = client->request("GET", "/v1/status");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body["pid"], 42);
  EXPECT_EQ(daemon.connections(), 2);
}

TEST(DaemonClient, HonoursConnectionClose) {
  FakeDaemon daemon([](FakeConn& c) {
    if (c.read_request()) {
      c.write(http_response(200, "OK", kStatusBody, "Connection: close\r\n"));
    }
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  ASSERT_TRUE(client->request("GET", "/v1/status"));
  ASSERT_TRUE(client->request("GET", "/v1/status"));
  EXPECT_EQ(daemon.connections(), 2);
}

TEST(DaemonClient, ADaemonClosingMidResponseIsAClearIoError) {
  FakeDaemon daemon([](FakeConn& c) {
    if (!c.read_request()) return;
    // Promises 100 bytes, sends 10, closes.
    c.write(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        "{\"version\"");
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto res = client->request("GET", "/v1/status");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::io_error);
  EXPECT_THAT(res.error().message, HasSubstr("in the middle of the response"));
  EXPECT_THAT(res.error().message, HasSubstr(daemon.socket().string()));
  EXPECT_THAT(res.error().message, HasSubstr("GET /v1/status"));
  // A fresh connection is not retried: the daemon really did fail this request.
  EXPECT_EQ(daemon.connections(), 1);
}

TEST(DaemonClient, ADaemonClosingWithoutAnswerOnAFreshConnectionIsAnError) {
  FakeDaemon daemon([](FakeConn& c) { c.read_request(); });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto res = client->request("GET", "/v1/status");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::io_error);
  EXPECT_THAT(res.error().message, HasSubstr("closed the connection without answering"));
  EXPECT_EQ(daemon.connections(), 1);
}

TEST(DaemonClient, GarbageInsteadOfHttpIsAnError) {
  FakeDaemon daemon([](FakeConn& c) {
    if (c.read_request()) c.write("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  auto res = client->request("GET", "/v1/status");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::io_error);
  EXPECT_THAT(res.error().message, HasSubstr("not valid HTTP"));
}

TEST(DaemonClient, ADaemonThatDoesNotAnswerTimesOut) {
  // The handler holds the connection open without answering until the client gives up and
  // closes it.
  FakeDaemon daemon([](FakeConn& c) {
    if (c.read_request()) c.wait_for_eof();
  });
  ClientOptions options;
  options.io_timeout = std::chrono::milliseconds(200);
  auto client = DaemonClient::connect(daemon.socket(), options);
  ASSERT_TRUE(client) << client.error().message;
  auto res = client->request("GET", "/v1/status");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::daemon_unreachable);
  EXPECT_THAT(res.error().message, HasSubstr("did not respond within 200 ms"));
}

}  // namespace
}  // namespace bqb::client
