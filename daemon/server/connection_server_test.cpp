// The one connection server, on a real loopback TCP socket: a session that throws gives its
// slot back and the server keeps serving; connections over the cap get the owner's 503, or,
// with no OverCapacity, wait unaccepted until a slot frees; stop() cancels idle connections and
// reports the drain.

#include "daemon/server/connection_server.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace bqb {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

class ConnectionServerTest : public ::testing::Test {
 protected:
  /// Starts a server whose session is `session`, on an OS-chosen loopback port.
  void start(std::size_t max_connections, TcpConnectionServer::Session session,
             bool answer_over_cap = true) {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    port_ = acceptor.local_endpoint().port();
    ConnectionServerOptions options;
    options.name = "test server";
    options.max_connections = max_connections;
    options.linger = 200ms;
    TcpConnectionServer::OverCapacity busy;
    if (answer_over_cap) {
      busy = [] {
        TcpConnectionServer::Response res{boost::beast::http::status::service_unavailable, 11};
        res.body() = "busy";
        res.prepare_payload();
        return res;
      };
    }
    server_ = std::make_shared<TcpConnectionServer>(std::move(acceptor), options,
                                                    std::move(session), std::move(busy));
    server_->start(nullptr);
  }

  /// Connects, sends one byte, and @returns everything the server sent until it closed.
  asio::awaitable<std::string> exchange() {
    tcp::socket socket(io_);
    co_await socket.async_connect({asio::ip::address_v4::loopback(), port_}, asio::use_awaitable);
    co_await asio::async_write(socket, asio::buffer("x", 1), asio::use_awaitable);
    std::string got;
    co_await asio::async_read(socket, asio::dynamic_buffer(got), kTuple);  // until EOF
    co_return got;
  }

  /// Lets the io_context run other work for 1 ms.
  asio::awaitable<void> tick() {
    asio::steady_timer timer(io_, 1ms);
    co_await timer.async_wait(asio::use_awaitable);
  }

  /// Lets the io_context run until `done()` holds (run() bounds the whole task's time).
  template <class Pred>
  asio::awaitable<void> until(Pred done) {
    while (!done()) co_await tick();
  }

  /// Runs `task` on the io_context to completion.
  template <class T>
  T run(asio::awaitable<T> task) {
    std::optional<T> result;
    asio::co_spawn(io_, std::move(task), [&](std::exception_ptr e, T value) {
      io_.stop();  // the server's accept loop keeps the context busy
      if (e) std::rethrow_exception(e);
      result = std::move(value);
    });
    io_.restart();
    io_.run_for(10s);
    EXPECT_TRUE(result.has_value()) << "the exchange did not finish";
    return result.value_or(T{});
  }

  /// Runs the server until no connection is left open (or 5 s pass).
  void settle() {
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (server_->connection_count() > 0 && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(50ms);
    }
  }

  asio::io_context io_;
  std::uint16_t port_ = 0;
  std::shared_ptr<TcpConnectionServer> server_;
};

TEST_F(ConnectionServerTest, ASessionThatThrowsGivesItsSlotBack) {
  int calls = 0;
  start(2, [&](TcpConnectionServer::Connection& c) -> asio::awaitable<void> {
    if (++calls <= 5) throw std::runtime_error("a handler bug quoting \xff bytes");
    std::string ok = "ok";
    co_await asio::async_write(c.stream, asio::buffer(ok), asio::use_awaitable);
  });
  for (int i = 0; i < 5; ++i) EXPECT_EQ(run(exchange()), "") << "connection " << i;
  // With leaked slots, a cap of 2 would answer "busy" here.
  EXPECT_EQ(run(exchange()), "ok");
  EXPECT_EQ(calls, 6);
  settle();
  EXPECT_EQ(server_->connection_count(), 0u);
}

/// Lowers this process's soft open-file limit and takes every descriptor left under it, so that
/// the next accept() fails with EMFILE; gives them back (and the limit) when it goes.
class DescriptorsExhausted {
 public:
  DescriptorsExhausted() {
    EXPECT_EQ(::getrlimit(RLIMIT_NOFILE, &saved_), 0);
    rlimit low = saved_;
    low.rlim_cur = 256;
    EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    for (;;) {
      int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) break;
      held_.push_back(fd);
    }
    EXPECT_EQ(errno, EMFILE);
  }
  ~DescriptorsExhausted() {
    for (int fd : held_) ::close(fd);
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }
  /// Gives one descriptor back.
  void release_one() {
    ASSERT_FALSE(held_.empty());
    ::close(held_.back());
    held_.pop_back();
  }

 private:
  rlimit saved_{};
  std::vector<int> held_;
};

TEST_F(ConnectionServerTest, OutOfDescriptorsTheAcceptLoopPausesThenServesAgain) {
  start(4, [&](TcpConnectionServer::Connection& c) -> asio::awaitable<void> {
    std::string ok = "ok";
    co_await asio::async_write(c.stream, asio::buffer(ok), asio::use_awaitable);
  });
  tcp::socket client(io_);
  {
    DescriptorsExhausted exhausted;
    exhausted.release_one();  // for the client's socket; the server's accept() has none left
    client.connect({asio::ip::address_v4::loopback(), port_});  // completes in the backlog
    io_.restart();
    io_.run_for(500ms);
    // Retrying at once would fail tens of thousands of times in half a second; pausing
    // 10, 20, 40, … ms fails about six times.
    EXPECT_GE(server_->accept_failures(), 1u);
    EXPECT_LE(server_->accept_failures(), 12u);
  }
  // Descriptors are back: within the longest pause, the waiting client is served.
  auto answer = [&]() -> asio::awaitable<std::string> {
    std::string got;
    co_await asio::async_read(client, asio::dynamic_buffer(got), kTuple);  // until EOF
    co_return got;
  };
  EXPECT_EQ(run(answer()), "ok");
}

TEST_F(ConnectionServerTest, AConnectionOverTheCapGetsTheOwners503) {
  asio::steady_timer hold(io_, asio::steady_timer::time_point::max());
  start(1, [&](TcpConnectionServer::Connection&) -> asio::awaitable<void> {
    co_await hold.async_wait(kTuple);
  });
  auto task = [&]() -> asio::awaitable<std::string> {
    tcp::socket first(io_);
    co_await first.async_connect({asio::ip::address_v4::loopback(), port_}, asio::use_awaitable);
    // The first connection is registered once the server accepted it.
    co_await until([&] { return server_->connection_count() > 0; });
    auto second = co_await exchange();
    hold.cancel();
    co_return second;
  };
  const auto second = run(task());
  EXPECT_NE(second.find("HTTP/1.1 503"), std::string::npos) << second;
  EXPECT_NE(second.find("busy"), std::string::npos) << second;
}

TEST_F(ConnectionServerTest, WithNoOverCapacityAnswerAConnectionOverTheCapWaitsForASlot) {
  asio::steady_timer hold(io_, asio::steady_timer::time_point::max());
  int sessions = 0;
  start(
      1,
      [&](TcpConnectionServer::Connection& conn) -> asio::awaitable<void> {
        if (sessions++ == 0) co_await hold.async_wait(kTuple);  // the first holds the slot
        co_await asio::async_write(conn.stream, asio::buffer("ok", 2), kTuple);
      },
      /*answer_over_cap=*/false);
  auto task = [&]() -> asio::awaitable<std::string> {
    tcp::socket first(io_);
    co_await first.async_connect({asio::ip::address_v4::loopback(), port_}, asio::use_awaitable);
    co_await until([&] { return server_->connection_count() > 0; });
    // The second connects (the kernel's backlog) and sends, but is neither served nor answered
    // while the first holds the only slot.
    std::optional<std::string> second;
    asio::co_spawn(io_, exchange(), [&](std::exception_ptr, std::string got) { second = got; });
    for (int i = 0; i < 50; ++i) {
      co_await tick();
      EXPECT_EQ(server_->connection_count(), 1u);
      EXPECT_FALSE(second.has_value()) << *second;
      EXPECT_EQ(sessions, 1);
    }
    hold.cancel();  // the first ends; its slot goes to the second
    co_await until([&] { return second.has_value(); });
    co_return *second;
  };
  EXPECT_EQ(run(task()), "ok");
  EXPECT_EQ(sessions, 2);
}

TEST_F(ConnectionServerTest, StopCancelsIdleConnectionsAndReportsTheDrain) {
  bool drained = false;
  // Like every real session: read requests until the server stops or the client goes away.
  start(4, [&](TcpConnectionServer::Connection& c) -> asio::awaitable<void> {
    char byte;
    while (!server_->stopping()) {
      auto [ec, n] = co_await c.stream.async_read_some(asio::buffer(&byte, 1), kTuple);
      if (ec) break;
    }
  });
  auto task = [&]() -> asio::awaitable<std::string> {
    tcp::socket socket(io_);
    co_await socket.async_connect({asio::ip::address_v4::loopback(), port_}, asio::use_awaitable);
    co_await asio::async_write(socket, asio::buffer("x", 1), asio::use_awaitable);
    co_await until([&] { return server_->connection_count() > 0; });
    server_->stop([&] { drained = true; });
    std::string got;
    co_await asio::async_read(socket, asio::dynamic_buffer(got), kTuple);  // until EOF
    co_return got;
  };
  EXPECT_EQ(run(task()), "");
  settle();
  EXPECT_TRUE(drained);
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_TRUE(server_->stopping());
}

}  // namespace
}  // namespace bqb
