// The socket server's streamed answers (ResponseStream through HttpServer on a real Unix
// socket): chunks in order on a kept-alive connection, back-pressure from a client that does not
// read, a client that leaves noticed while the handler waits, and handlers that never answer.
// The server runs on an io_context pumped by the test's own thread; the client is a plain
// non-blocking socket in the same thread, so every step is deterministic.

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "daemon/server/http_server.h"
#include "daemon/server/router.h"
#include "tests/support/temp_dir.h"

namespace bqb::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

class ResponseStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    socket_path_ = dir_ / "s";
  }
  void TearDown() override {
    for (int fd : fds_) ::close(fd);
    server_.reset();
  }

  void start() {
    HttpServer::Acceptor acceptor(io_, asio::local::stream_protocol::endpoint(socket_path_));
    server_ = std::make_unique<HttpServer>(std::move(acceptor), router_, ServerOptions{});
    server_->start();
  }

  int connect_client() {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path_.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("connect failed");
    }
    fds_.push_back(fd);
    return fd;
  }

  static void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  /// Appends what the socket holds to `into`; @returns false at EOF.
  static bool read_available(int fd, std::string& into) {
    char buf[65536];
    while (true) {
      auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        into.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      return n != 0;
    }
  }

  /// Runs the server's handlers until `done()` holds; false after 10 s (a failure, not a wait
  /// for something to happen by itself: every step the test waits for is an event).
  bool pump_until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.run_one_for(5ms);
    }
    return true;
  }

  /// Runs every handler that is ready, until none is: the server then waits on the client.
  void settle() {
    io_.restart();
    while (io_.poll() > 0) {
    }
  }

  /// Reads one whole response from `fd` (pumping the server meanwhile), leaving what follows it
  /// in `pending`.
  beast_http::response<beast_http::string_body> read_response(int fd, std::string& pending) {
    beast_http::response_parser<beast_http::string_body> parser;
    parser.body_limit(std::size_t{1} << 30);
    bool open = true;
    EXPECT_TRUE(pump_until([&] {
      open = read_available(fd, pending) && open;
      boost::system::error_code ec;
      while (!pending.empty() && !parser.is_done()) {
        auto used = parser.put(asio::buffer(pending), ec);
        pending.erase(0, used);
        if (ec == beast_http::error::need_more) break;
        if (ec) throw std::runtime_error("bad response: " + ec.message());
        if (used == 0) break;
      }
      return parser.is_done() || !open;
    }));
    EXPECT_TRUE(parser.is_done()) << "the response ended early";
    return parser.release();
  }

  static constexpr std::string_view kGet = "GET /s HTTP/1.1\r\nHost: localhost\r\n\r\n";

  asio::io_context io_;
  bqb::testing::TempDir tmp_;
  std::filesystem::path dir_;
  std::filesystem::path socket_path_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::vector<int> fds_;
};

TEST_F(ResponseStreamTest, ChunksArriveInOrderOnAKeptAliveConnection) {
  router_.add_stream({"GET", "/s"},
                     [](RequestContext&, ResponseStream& out) -> asio::awaitable<void> {
                       EXPECT_TRUE(co_await out.begin(200, "application/x-ndjson"));
                       EXPECT_TRUE(co_await out.write("{\"n\":1}\n"));
                       EXPECT_TRUE(co_await out.write(""));  // no empty chunk: it would end it
                       EXPECT_TRUE(co_await out.write("{\"n\":2}\n"));
                     });
  start();
  int fd = connect_client();
  std::string pending;
  for (int round = 0; round < 2; ++round) {
    send_all(fd, kGet);
    auto res = read_response(fd, pending);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res[beast_http::field::content_type], "application/x-ndjson");
    EXPECT_TRUE(res.chunked());
    EXPECT_TRUE(res.keep_alive());
    EXPECT_EQ(res.body(), "{\"n\":1}\n{\"n\":2}\n");
  }
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(ResponseStreamTest, AWriteWaitsUntilTheClientReads) {
  constexpr int kChunks = 16;
  const std::string chunk(1 << 20, 'x');
  int written = 0;
  router_.add_stream({"GET", "/s"},
                     [&](RequestContext&, ResponseStream& out) -> asio::awaitable<void> {
                       co_await out.begin(200, "application/octet-stream");
                       for (int i = 0; i < kChunks; ++i) {
                         if (!co_await out.write(chunk)) co_return;
                         ++written;
                       }
                     });
  start();
  int fd = connect_client();
  send_all(fd, kGet);
  ASSERT_TRUE(pump_until([&] { return written > 0 || server_->connection_count() == 1; }));
  settle();
  // A Unix socket buffers a few hundred KiB: the handler is parked in its first or second write.
  EXPECT_LT(written, 2);
  std::string pending;
  auto res = read_response(fd, pending);
  EXPECT_EQ(written, kChunks);
  EXPECT_EQ(res.body().size(), chunk.size() * kChunks);
}

TEST_F(ResponseStreamTest, AClientThatLeavesIsNoticedWhileTheHandlerWaits) {
  bool began = false;
  bool noticed = false;
  router_.add_stream({"GET", "/s"},
                     [&](RequestContext&, ResponseStream& out) -> asio::awaitable<void> {
                       began = co_await out.begin(200, "application/x-ndjson");
                       asio::steady_timer tick(co_await asio::this_coro::executor);
                       while (!out.cancelled()) {
                         tick.expires_after(2ms);
                         co_await tick.async_wait(kTuple);
                       }
                       noticed = true;
                       EXPECT_FALSE(co_await out.write("late\n"));
                     });
  start();
  int fd = connect_client();
  send_all(fd, kGet);
  ASSERT_TRUE(pump_until([&] { return began; }));
  EXPECT_FALSE(noticed);
  ::close(fd);
  fds_.clear();
  ASSERT_TRUE(pump_until([&] { return noticed; }));
  ASSERT_TRUE(pump_until([&] { return server_->connection_count() == 0; }));
}

TEST_F(ResponseStreamTest, APipelinedRequestIsNotADisconnect) {
  int served = 0;
  std::vector<bool> cancelled_seen;
  asio::steady_timer release(io_);
  release.expires_at(asio::steady_timer::time_point::max());
  router_.add_stream({"GET", "/s"},
                     [&](RequestContext&, ResponseStream& out) -> asio::awaitable<void> {
                       ++served;
                       if (served == 1) co_await release.async_wait(kTuple);
                       cancelled_seen.push_back(out.cancelled());
                       co_await out.begin(200, "text/plain");
                       co_await out.write("ok\n");
                     });
  start();
  int fd = connect_client();
  send_all(fd, std::string(kGet) + std::string(kGet));
  ASSERT_TRUE(pump_until([&] { return served == 1; }));
  settle();
  release.cancel();
  std::string pending;
  EXPECT_EQ(read_response(fd, pending).body(), "ok\n");
  EXPECT_EQ(read_response(fd, pending).body(), "ok\n");
  EXPECT_EQ(cancelled_seen, (std::vector<bool>{false, false}));
}

TEST_F(ResponseStreamTest, AHandlerThatNeverAnswersGets500) {
  router_.add_stream({"GET", "/s"},
                     [](RequestContext&, ResponseStream&) -> asio::awaitable<void> { co_return; });
  router_.add_stream({"GET", "/t"},
                     [](RequestContext&, ResponseStream&) -> asio::awaitable<void> {
                       throw std::runtime_error("boom");
                       co_return;
                     });
  start();
  int fd = connect_client();
  std::string pending;
  send_all(fd, kGet);
  auto res = read_response(fd, pending);
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_NE(res.body().find("\"internal\""), std::string::npos) << res.body();
  send_all(fd, "GET /t HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(read_response(fd, pending).result_int(), 500);
}

TEST_F(ResponseStreamTest, AHandlerThatThrowsMidStreamCutsTheBodyShort) {
  router_.add_stream({"GET", "/s"},
                     [](RequestContext&, ResponseStream& out) -> asio::awaitable<void> {
                       co_await out.begin(200, "application/x-ndjson");
                       co_await out.write("{\"n\":1}\n");
                       throw std::runtime_error("boom");
                     });
  start();
  int fd = connect_client();
  send_all(fd, kGet);
  // The client must not mistake the cut body for a complete one: no last chunk, then EOF.
  std::string raw;
  ASSERT_TRUE(pump_until([&] { return !read_available(fd, raw); }));
  EXPECT_NE(raw.find("{\"n\":1}\n"), std::string::npos);
  EXPECT_EQ(raw.find("\r\n0\r\n\r\n"), std::string::npos) << raw;
}

TEST_F(ResponseStreamTest, TheCollectingDispatchGathersAStreamedBody) {
  router_.add_stream({"GET", "/s"},
                     [](RequestContext&, ResponseStream& out) -> asio::awaitable<void> {
                       co_await out.begin(200, "application/x-ndjson");
                       co_await out.write("a\n");
                       co_await out.write("b\n");
                     });
  Request req{beast_http::verb::get, "/s", 11};
  Response res;
  asio::co_spawn(io_, router_.dispatch(req, PeerCred{::getpid(), ::getuid(), ::getgid()}),
                 [&](std::exception_ptr, Response r) { res = std::move(r); });
  io_.run();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "a\nb\n");
  EXPECT_EQ(res[beast_http::field::content_type], "application/x-ndjson");
}

}  // namespace
}  // namespace bqb::http
