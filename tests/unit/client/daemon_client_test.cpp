#include "client/daemon_client.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_daemon.h"

namespace bqb::client {
namespace {

using bqb::testing::FakeConn;
using bqb::testing::FakeDaemon;
using bqb::testing::http_response;
using bqb::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kStatusBody =
    R"({"version":"0.1.0","pid":42,"uptime_seconds":7,"socket":"/s","store":"memory","accounts":[]})";

/// Requests the fake daemon saw, readable from the test thread.
struct Seen {
  std::mutex mu;
  std::vector<std::string> requests;
  void add(std::string r) {
    std::lock_guard lock(mu);
    requests.push_back(std::move(r));
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mu);
    return requests;
  }
};

TEST(DaemonClient, ReturnsTheJsonBodyOfA200) {
  Seen seen;
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
  Seen seen;
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
  Seen seen;
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

// --- stream(): application/x-ndjson answers delivered line by line ---

/// @returns `data` as one chunk of a chunked body.
std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

constexpr std::string_view kNdjsonHead =
    "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

/// Collects the lines a stream delivers.
struct Lines {
  std::vector<std::string> got;
  int idles = 0;
  LineHandler handler() {
    return {[this](std::string_view l) {
              got.emplace_back(l);
              return LineAction::next;
            },
            [this] {
              ++idles;
              return LineAction::next;
            }};
  }
};

/// A one-shot signal between the fake daemon's thread and the test.
class Latch {
 public:
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  /// @returns false when not opened within `timeout`.
  bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(DaemonClientStream, DeliversLinesSplitAcrossChunksAtAnyByte) {
  Seen seen;
  FakeDaemon daemon([&](FakeConn& c) {
    while (auto req = c.read_request()) {
      seen.add(*req);
      // Chunk boundaries inside a line, between lines, and two lines in one chunk.
      c.write(std::string(kNdjsonHead) + chunk("{\"type\":\"jo") + chunk("b\"}\n{\"a\":") +
              chunk("1}\n{\"b\":2}\n") + chunk("{\"c\"") + chunk(":3}\n") +
              std::string(kLastChunk));
    }
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  Lines lines;
  auto end =
      client->stream("POST", "/v1/query", nlohmann::json{{"query", "SELECT 1"}}, lines.handler());
  ASSERT_TRUE(end) << end.error().message;
  EXPECT_EQ(*end, StreamEnd::complete);
  EXPECT_EQ(lines.got, (std::vector<std::string>{R"({"type":"job"})", R"({"a":1})", R"({"b":2})",
                                                 R"({"c":3})"}));
  auto requests = seen.get();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0], StartsWith("POST /v1/query HTTP/1.1\r\n"));
  EXPECT_THAT(requests[0], HasSubstr("\r\n\r\n{\"query\":\"SELECT 1\"}"));
  // The kept-alive connection serves the next request.
  Lines again;
  ASSERT_TRUE(client->stream("POST", "/v1/query", std::nullopt, again.handler()));
  EXPECT_EQ(again.got.size(), 4u);
  EXPECT_EQ(daemon.connections(), 1);
}

TEST(DaemonClientStream, HandsOverEachLineBeforeTheRestOfTheAnswerExists) {
  Latch first_line_seen;
  bool daemon_waited = false;
  FakeDaemon daemon([&](FakeConn& c) {
    if (!c.read_request()) return;
    c.write(std::string(kNdjsonHead) + chunk("{\"n\":1}\n"));
    // The second line is only written once the client has handed over the first.
    daemon_waited = first_line_seen.wait();
    c.write(chunk("{\"n\":2}\n") + std::string(kLastChunk));
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  std::vector<std::string> got;
  int idles_before_second = -1;
  int idles = 0;
  LineHandler handler{[&](std::string_view l) {
                        got.emplace_back(l);
                        if (got.size() == 1) first_line_seen.open();
                        if (got.size() == 2) idles_before_second = idles;
                        return LineAction::next;
                      },
                      [&] {
                        ++idles;
                        return LineAction::next;
                      }};
  auto end = client->stream("POST", "/v1/query", std::nullopt, handler);
  ASSERT_TRUE(end) << end.error().message;
  EXPECT_TRUE(daemon_waited) << "the first line was not delivered while the answer was open";
  EXPECT_EQ(got, (std::vector<std::string>{R"({"n":1})", R"({"n":2})"}));
  EXPECT_GE(idles_before_second, 1) << "on_idle runs before the client blocks for more";
}

TEST(DaemonClientStream, StopClosesTheConnectionMidStream) {
  Latch eof_seen;
  FakeDaemon daemon([&](FakeConn& c) {
    if (!c.read_request()) return;
    c.write(std::string(kNdjsonHead) + chunk("{\"n\":1}\n{\"n\":2}\n"));
    c.wait_for_eof();  // the stream stays open: only the client's close ends it
    eof_seen.open();
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  std::vector<std::string> got;
  LineHandler handler;
  handler.on_line = [&](std::string_view l) {
    got.emplace_back(l);
    return LineAction::stop;
  };
  auto end = client->stream("POST", "/v1/query", std::nullopt, handler);
  ASSERT_TRUE(end) << end.error().message;
  EXPECT_EQ(*end, StreamEnd::stopped);
  EXPECT_EQ(got, (std::vector<std::string>{R"({"n":1})"}));
  EXPECT_TRUE(eof_seen.wait()) << "the daemon never saw the connection close";
}

TEST(DaemonClientStream, ANon2xxIsTheEnvelopesErrorWithItsWholeObject) {
  FakeDaemon daemon([](FakeConn& c) {
    while (c.read_request()) {
      c.write(http_response(
          400, "Bad Request",
          R"({"error":{"code":"invalid_query","message":"Syntax error at [2:5]","hint":"fix it",)"
          R"("reason":"invalidQuery","line":2,"column":5}})"));
    }
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  Lines lines;
  nlohmann::json error_object;
  auto end = client->stream("POST", "/v1/query", std::nullopt, lines.handler(), &error_object);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error(), (Error{Errc::invalid_query, "Syntax error at [2:5]", "fix it"}));
  EXPECT_EQ(error_object["line"], 2);
  EXPECT_EQ(error_object["column"], 5);
  EXPECT_EQ(error_object["reason"], "invalidQuery");
  EXPECT_TRUE(lines.got.empty());
}

TEST(DaemonClientStream, A2xxThatIsNotNdjsonIsRefused) {
  FakeDaemon daemon([](FakeConn& c) {
    while (c.read_request()) c.write(http_response(200, "OK", R"({"rows":[]})"));
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  Lines lines;
  auto end = client->stream("POST", "/v1/query", std::nullopt, lines.handler());
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().code, Errc::internal);
  EXPECT_THAT(end.error().message, HasSubstr("application/json"));
  EXPECT_THAT(end.error().message, HasSubstr("application/x-ndjson"));
  EXPECT_TRUE(lines.got.empty());
}

TEST(DaemonClientStream, ALineOverTheLimitIsAnErrorNotUnboundedMemory) {
  FakeDaemon daemon([](FakeConn& c) {
    if (!c.read_request()) return;
    c.write(std::string(kNdjsonHead) + chunk("{\"ok\":1}\n") + chunk(std::string(600, 'x')));
    c.write(chunk(std::string(600, 'x')));
    c.wait_for_eof();
  });
  ClientOptions options;
  options.max_line_bytes = 1000;
  auto client = DaemonClient::connect(daemon.socket(), options);
  ASSERT_TRUE(client) << client.error().message;
  Lines lines;
  auto end = client->stream("POST", "/v1/query", std::nullopt, lines.handler());
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().code, Errc::invalid_json);
  EXPECT_THAT(end.error().message, HasSubstr("longer than 1000 B"));
  EXPECT_EQ(lines.got, (std::vector<std::string>{R"({"ok":1})"}));
}

TEST(DaemonClientStream, SilenceBeyondTheIdleTimeoutIsAnError) {
  FakeDaemon daemon([](FakeConn& c) {
    if (!c.read_request()) return;
    c.write(std::string(kNdjsonHead) + chunk("{\"n\":1}\n"));
    c.wait_for_eof();
  });
  ClientOptions options;
  options.stream_idle_timeout = std::chrono::milliseconds(200);
  auto client = DaemonClient::connect(daemon.socket(), options);
  ASSERT_TRUE(client) << client.error().message;
  Lines lines;
  auto end = client->stream("POST", "/v1/query", std::nullopt, lines.handler());
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().code, Errc::daemon_unreachable);
  EXPECT_THAT(end.error().message, HasSubstr("did not respond within 200 ms"));
  EXPECT_EQ(lines.got.size(), 1u);
}

TEST(DaemonClientStream, ADaemonDyingMidStreamIsAnIoError) {
  FakeDaemon daemon([](FakeConn& c) {
    if (c.read_request()) c.write(std::string(kNdjsonHead) + chunk("{\"n\":1}\n{\"n\""));
  });
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  Lines lines;
  auto end = client->stream("POST", "/v1/query", std::nullopt, lines.handler());
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().code, Errc::io_error);
  EXPECT_THAT(end.error().message, HasSubstr("in the middle of the response"));
  EXPECT_EQ(lines.got, (std::vector<std::string>{R"({"n":1})"}));
}

}  // namespace
}  // namespace bqb::client
