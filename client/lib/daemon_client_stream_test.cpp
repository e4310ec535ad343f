// DaemonClient::stream(): application/x-ndjson answers of the daemon delivered line by line, as
// `bqbroker query` reads them; the request/response calls are in daemon_client_test.cpp.

#include "client/lib/daemon_client.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
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
using ::testing::HasSubstr;
using ::testing::StartsWith;

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
  RequestLog seen;
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
