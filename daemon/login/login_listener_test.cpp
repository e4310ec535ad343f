// The loopback listener on a real 127.0.0.1 socket: it answers GETs through its handler with a
// locked-down HTML page, survives connections that send nothing or junk, refuses other methods,
// stops accepting once closed, and closes another uid's connection unanswered.

#include "daemon/login/loopback_listener.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "daemon/base/blocking.h"
#include "tests/support/http_test_server.h"
#include "tests/support/login_test_support.h"
#include "tests/support/metadata_test_support.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio::ip::tcp;

class LoopbackListenerTest : public ::testing::Test {
 protected:
  std::shared_ptr<LoopbackListener> listen(LoopbackOptions options = {}) {
    auto l = LoopbackListener::bind(io_.get_executor(), 0, pool_, options);
    EXPECT_TRUE(l) << l.error().message;
    if (!l) return nullptr;
    (*l)->start([this](std::string target) -> asio::awaitable<LoopbackReply> {
      targets_.push_back(target);
      co_return LoopbackReply{target == "/favicon.ico" ? 404 : 200, "<p>" + target + "</p>"};
    });
    return *l;
  }

  asio::io_context io_;
  BlockingPool pool_{1};  // the owner lookups
  std::vector<std::string> targets_;
};

TEST_F(LoopbackListenerTest, BindsLoopbackOnAnOsChosenPort) {
  auto l = listen();
  ASSERT_TRUE(l);
  EXPECT_NE(l->port(), 0);
  // Reachable on 127.0.0.1 only: the acceptor is bound to the loopback address, so connecting to
  // the same port on another local address is refused.
  tcp::socket probe(io_);
  boost::system::error_code ec;
  probe.connect(tcp::endpoint(asio::ip::make_address("127.0.0.2"), l->port()), ec);
  EXPECT_TRUE(ec) << "127.0.0.2 reached the listener";
}

TEST_F(LoopbackListenerTest, AnswersAGetWithTheHandlersPageAndSafeHeaders) {
  auto l = listen();
  ASSERT_TRUE(l);
  auto answer = test::run(io_, test::browser_get(l->port(), "/?state=s&code=c"));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "<p>/?state=s&code=c</p>");
  EXPECT_EQ(answer.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(answer.header("Cache-Control"), "no-store");
  EXPECT_EQ(answer.header("Referrer-Policy"), "no-referrer");
  EXPECT_NE(answer.header("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(answer.header("Connection"), "close");
  ASSERT_EQ(targets_.size(), 1u);
}

TEST_F(LoopbackListenerTest, IdleAndJunkConnectionsDoNotBlockTheRedirect) {
  LoopbackOptions options;
  options.read_timeout = 300ms;
  auto l = listen(options);
  ASSERT_TRUE(l);
  auto task = [&]() -> asio::awaitable<std::pair<test::BrowserAnswer, std::string>> {
    auto ex = co_await asio::this_coro::executor;
    const tcp::endpoint ep(asio::ip::address_v4::loopback(), l->port());
    // A browser's speculative pre-connection: opened, never used.
    tcp::socket idle(ex);
    co_await idle.async_connect(ep, asio::use_awaitable);
    // A connection that closes at once.
    {
      tcp::socket empty(ex);
      co_await empty.async_connect(ep, asio::use_awaitable);
    }
    // Junk that is not HTTP: answered 400 and closed.
    tcp::socket junk(ex);
    co_await junk.async_connect(ep, asio::use_awaitable);
    co_await asio::async_write(junk, asio::buffer(std::string("\x16\x03\x01 not http\r\n\r\n")),
                               asio::use_awaitable);
    std::string junk_answer;
    auto buf = asio::dynamic_buffer(junk_answer);
    co_await asio::async_read(junk, buf, asio::as_tuple(asio::use_awaitable));  // until EOF
    // The real redirect still gets through while `idle` is open.
    auto answer = co_await test::browser_get(l->port(), "/?state=x&code=y");
    // The idle connection is closed by the read deadline: reading sees EOF.
    char byte;
    auto [ec, n] =
        co_await idle.async_read_some(asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, asio::error::eof);
    co_return std::pair{answer, junk_answer};
  };
  auto [answer, junk_answer] = test::run(io_, task());
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(junk_answer.rfind("HTTP/1.1 400", 0), 0u) << junk_answer;
  EXPECT_EQ(targets_, std::vector<std::string>{"/?state=x&code=y"});
}

/// Sends `request` as is and @returns everything the listener answered until it closed.
asio::awaitable<std::string> raw_exchange(std::uint16_t port, std::string request) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket s(ex);
  co_await s.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port),
                           asio::use_awaitable);
  co_await asio::async_write(s, asio::buffer(request), asio::use_awaitable);
  std::string out;
  auto buf = asio::dynamic_buffer(out);
  co_await asio::async_read(s, buf, asio::as_tuple(asio::use_awaitable));
  co_return out;
}

TEST_F(LoopbackListenerTest, OnlyTheRedirectsHostIsAnsweredNotARebindingPage) {
  auto l = listen();
  ASSERT_TRUE(l);
  const std::string port = std::to_string(l->port());
  const std::vector<std::string> hosts{"attacker.example:" + port, "localhost:" + port, "127.0.0.1",
                                       "127.0.0.1:1", ""};
  for (const std::string& host : hosts) {
    const std::string head = host.empty() ? "" : "Host: " + host + "\r\n";
    const std::string request =
        "GET /?state=s&code=c HTTP/1.1\r\n" + head + "Connection: close\r\n\r\n";
    auto out = test::run(io_, raw_exchange(l->port(), request));
    EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << host << ": " << out;
    EXPECT_NE(out.find("http://127.0.0.1:" + port + "/"), std::string::npos) << out;
  }
  EXPECT_TRUE(targets_.empty());
  // The browser's own request still is.
  EXPECT_EQ(test::run(io_, test::browser_get(l->port(), "/?state=s&code=c")).status, 200);
}

TEST_F(LoopbackListenerTest, OtherMethodsGet405WithoutReachingTheHandler) {
  auto l = listen();
  ASSERT_TRUE(l);
  auto task = [&]() -> asio::awaitable<std::string> {
    auto ex = co_await asio::this_coro::executor;
    tcp::socket s(ex);
    co_await s.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), l->port()),
                             asio::use_awaitable);
    co_await asio::async_write(
        s,
        asio::buffer("POST /?state=a&code=b HTTP/1.1\r\nHost: 127.0.0.1:" +
                     std::to_string(l->port()) + "\r\nContent-Length: 0\r\n\r\n"),
        asio::use_awaitable);
    std::string out;
    auto buf = asio::dynamic_buffer(out);
    co_await asio::async_read(s, buf, asio::as_tuple(asio::use_awaitable));
    co_return out;
  };
  auto out = test::run(io_, task());
  EXPECT_EQ(out.rfind("HTTP/1.1 405", 0), 0u) << out;
  EXPECT_TRUE(targets_.empty());
}

TEST_F(LoopbackListenerTest, ClosedListenerRefusesConnections) {
  auto l = listen();
  ASSERT_TRUE(l);
  const auto port = l->port();
  l->close();
  EXPECT_TRUE(l->closed());
  tcp::socket probe(io_);
  boost::system::error_code ec;
  probe.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
}

TEST_F(LoopbackListenerTest, AnotherUidIsClosedUnansweredBeforeItsRequestIsRead) {
  ASSERT_EQ(::geteuid(), 0u) << "must run as root (scripts/test.sh does) to connect as nobody";
  auto l = listen();
  ASSERT_TRUE(l);
  const std::string redirect =
      "GET /?state=s&code=c HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(l->port()) +
      "\r\nConnection: close\r\n\r\n";
  auto other = test::run(io_, test::exchange_as_uid(l->port(), redirect, 65534, 65534));
  EXPECT_EQ(other.raw, "") << "closed at once, without even an error page";
  EXPECT_TRUE(targets_.empty()) << "another uid's redirect reached the handler";
  // The user's own browser still is served.
  auto own = test::run(io_, test::browser_get(l->port(), "/?state=x&code=y"));
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(targets_, std::vector<std::string>{"/?state=x&code=y"});
}

TEST_F(LoopbackListenerTest, AFixedPortInUseIsAConflictNamingTheAddress) {
  auto first = listen();
  ASSERT_TRUE(first);
  auto second = LoopbackListener::bind(io_.get_executor(), first->port(), pool_);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::conflict);
  EXPECT_NE(second.error().message.find("127.0.0.1:" + std::to_string(first->port())),
            std::string::npos);
  EXPECT_NE(second.error().hint.find("redirect_port"), std::string::npos);
}

}  // namespace
}  // namespace bqb
