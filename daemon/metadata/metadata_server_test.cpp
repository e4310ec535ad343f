// The metadata endpoint on a real 127.0.0.1 socket with a fake TokenSource: answers as client
// libraries expect them (Metadata-Flavor on every response, exact JSON content type, integer
// expires_in), the audit caller, refusals, keep-alive, and a connection from another uid.

#include "daemon/metadata/metadata_server.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "daemon/base/blocking.h"
#include "tests/support/http_test_server.h"
#include "tests/support/metadata_test_support.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
using test::RawAnswer;

class MetadataServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sink_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(200);
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink_));
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::shared_ptr<MetadataServer> serve(std::optional<std::string> project = "proj-1",
                                        MetadataServerOptions options = {}) {
    metadata::MetadataIdentity id{tokens_.account, tokens_.granted, project};
    auto s = MetadataServer::bind(
        io_.get_executor(), ListenAddress{"127.0.0.1", 0}, tokens_, pool_,
        [id]() -> Result<metadata::MetadataIdentity> { return id; }, options);
    EXPECT_TRUE(s) << s.error().message;
    if (!s) return nullptr;
    (*s)->start();
    return *s;
  }

  RawAnswer get(const MetadataServer& s, std::string_view target, std::string_view extra = "") {
    return test::run(io_,
                     test::raw_exchange(s.port(), test::metadata_get(target, s.port(), extra)));
  }

  std::string log() const {
    std::string out;
    for (const auto& line : sink_->last_formatted()) out += line;
    return out;
  }

  asio::io_context io_;
  test::FakeTokenSource tokens_;
  BlockingPool pool_{1};  // the owner lookups
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(MetadataServerTest, HostIsLoopbackWithTheChosenPort) {
  auto s = serve();
  ASSERT_TRUE(s);
  EXPECT_NE(s->port(), 0);
  EXPECT_EQ(s->host(), "127.0.0.1:" + std::to_string(s->port()));
}

TEST_F(MetadataServerTest, TokenAnswerIsExactJsonWithFlavor) {
  auto s = serve();
  ASSERT_TRUE(s);
  auto a = get(*s, "/computeMetadata/v1/instance/service-accounts/default/token");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.headers["metadata-flavor"], "Google");
  EXPECT_EQ(a.headers["content-type"], "application/json");
  auto j = nlohmann::json::parse(a.body);
  EXPECT_EQ(j["access_token"], "ya29.fake-1");
  ASSERT_TRUE(j["expires_in"].is_number_integer());
  EXPECT_GT(j["expires_in"].get<int>(), 2900);
  EXPECT_LE(j["expires_in"].get<int>(), 3000);
  EXPECT_EQ(j["token_type"], "Bearer");

  ASSERT_EQ(tokens_.requests.size(), 1u);
  const auto& r = tokens_.requests[0];
  EXPECT_EQ(r.account, "ada@example.com");
  EXPECT_EQ(r.scopes, tokens_.granted);
  EXPECT_EQ(r.caller.uid, ::getuid());
  EXPECT_FALSE(r.caller.pid.has_value());
  EXPECT_EQ(r.caller.via, "metadata " + s->host());
  // The token never appears in the log.
  EXPECT_EQ(log().find("ya29.fake"), std::string::npos) << log();
}

TEST_F(MetadataServerTest, TokenWithSubsetScopesAsksForThoseAndRefusesMore) {
  auto s = serve();
  ASSERT_TRUE(s);
  auto a = get(*s,
               "/computeMetadata/v1/instance/service-accounts/default/token?scopes="
               "https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fbigquery.readonly");
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_EQ(tokens_.requests.size(), 1u);
  EXPECT_EQ(tokens_.requests[0].scopes,
            oauth::ScopeSet::from_list({"bigquery.readonly"}, "t").value());

  auto refused = get(*s,
                     "/computeMetadata/v1/instance/service-accounts/default/token?scopes="
                     "https://www.googleapis.com/auth/cloud-platform");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.headers["metadata-flavor"], "Google");
  EXPECT_NE(refused.body.find("cloud-platform"), std::string::npos);
  EXPECT_EQ(tokens_.requests.size(), 1u) << "a refused scope reached the token source";
}

TEST_F(MetadataServerTest, TokenSourceErrorsPassThroughWithTheirStatus) {
  auto s = serve();
  ASSERT_TRUE(s);
  tokens_.error = Error{Errc::needs_login, "ada@example.com must log in again", "bqbroker login"};
  auto a = get(*s, "/computeMetadata/v1/instance/service-accounts/default/token");
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(a.headers["metadata-flavor"], "Google");
  EXPECT_NE(a.body.find("bqbroker login"), std::string::npos);
}

TEST_F(MetadataServerTest, AccountInfoProjectAndPing) {
  auto s = serve();
  ASSERT_TRUE(s);
  auto info = get(*s, "/computeMetadata/v1/instance/service-accounts/default/?recursive=true");
  ASSERT_EQ(info.status, 200);
  EXPECT_EQ(info.headers["content-type"], "application/json");
  EXPECT_EQ(nlohmann::json::parse(info.body)["email"], "ada@example.com");

  auto project = get(*s, "/computeMetadata/v1/project/project-id");
  EXPECT_EQ(project.status, 200);
  EXPECT_EQ(project.body, "proj-1");

  for (const char* ping : {"/", "/computeMetadata/v1/instance"}) {
    auto a = get(*s, ping);
    EXPECT_EQ(a.status, 200) << ping;
    EXPECT_EQ(a.headers["metadata-flavor"], "Google") << ping;
  }
  EXPECT_EQ(get(*s, "/computeMetadata/v1/universe/universe-domain").status, 404);
  EXPECT_TRUE(tokens_.requests.empty());
}

TEST_F(MetadataServerTest, RefusesMissingFlavorForwardedOriginAndForeignHost) {
  auto s = serve();
  ASSERT_TRUE(s);
  const std::string no_flavor =
      "GET /computeMetadata/v1/instance/service-accounts/default/token HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
  auto a = test::run(io_, test::raw_exchange(s->port(), no_flavor));
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.headers["metadata-flavor"], "Google");

  EXPECT_EQ(get(*s, "/computeMetadata/v1/instance/service-accounts/default/token",
                "X-Forwarded-For: 10.1.2.3\r\n")
                .status,
            403);
  EXPECT_EQ(get(*s, "/computeMetadata/v1/instance/service-accounts/default/token",
                "Origin: http://127.0.0.1:" + std::to_string(s->port()) + "\r\n")
                .status,
            403);
  const std::string rebinding =
      "GET /computeMetadata/v1/instance/service-accounts/default/token HTTP/1.1\r\n"
      "Host: attacker.example:" +
      std::to_string(s->port()) + "\r\nMetadata-Flavor: Google\r\nConnection: close\r\n\r\n";
  EXPECT_EQ(test::run(io_, test::raw_exchange(s->port(), rebinding)).status, 403);
  EXPECT_TRUE(tokens_.requests.empty());
}

TEST_F(MetadataServerTest, KeepsTheConnectionAliveBetweenRequests) {
  auto s = serve();
  ASSERT_TRUE(s);
  const std::string two =
      "GET /computeMetadata/v1/instance/service-accounts/default/email HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nMetadata-Flavor: Google\r\n\r\n" +
      test::metadata_get("/computeMetadata/v1/instance/service-accounts/default/token", s->port());
  auto a = test::run(io_, test::raw_exchange(s->port(), two));
  // The first answer (email) then the second (token) on the same connection.
  EXPECT_EQ(a.status, 200);
  EXPECT_NE(a.raw.find("ada@example.com"), std::string::npos);
  EXPECT_NE(a.raw.find("\"access_token\""), std::string::npos) << a.raw;
  EXPECT_EQ(tokens_.requests.size(), 1u);
}

TEST_F(MetadataServerTest, ConnectionFromAnotherUidIsClosedUnansweredAndLogged) {
  ASSERT_EQ(::geteuid(), 0u) << "must run as root (scripts/test.sh does) to connect as nobody";
  auto s = serve();
  ASSERT_TRUE(s);
  auto a = test::run(
      io_, test::exchange_as_uid(
               s->port(),
               test::metadata_get("/computeMetadata/v1/instance/service-accounts/default/token",
                                  s->port()),
               65534, 65534));
  EXPECT_EQ(a.raw, "") << "closed at once, not even a 403";
  EXPECT_TRUE(tokens_.requests.empty());
  EXPECT_NE(log().find("refused connection from uid=65534"), std::string::npos) << log();
}

TEST_F(MetadataServerTest, OneUidHoldsAtMostItsShareOfConnectionsAndGets503Beyond) {
  MetadataServerOptions options;
  options.peers.max_per_uid = 1;
  auto s = serve("proj-1", options);
  ASSERT_TRUE(s);
  const std::uint16_t port = s->port();
  const std::string project = test::metadata_get("/computeMetadata/v1/project/project-id", port);
  auto task = [&]() -> asio::awaitable<std::pair<test::RawAnswer, int>> {
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::socket held(ex);
    co_await held.async_connect({asio::ip::address_v4::loopback(), port}, asio::use_awaitable);
    // A keep-alive request, answered: this connection now holds the uid's one connection.
    const std::string keep_alive =
        "GET /computeMetadata/v1/project/project-id HTTP/1.1\r\nHost: 127.0.0.1:" +
        std::to_string(port) + "\r\nMetadata-Flavor: Google\r\n\r\n";
    co_await asio::async_write(held, asio::buffer(keep_alive), asio::use_awaitable);
    std::string first;
    co_await asio::async_read_until(held, asio::dynamic_buffer(first), "proj-1",
                                    asio::use_awaitable);
    auto over = co_await test::raw_exchange(port, project);
    // Once the server has seen the held connection close, its place is free again.
    held.close();
    int status = 0;
    asio::steady_timer pause(ex);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      status = (co_await test::raw_exchange(port, project)).status;
      if (status != 503) break;
      pause.expires_after(std::chrono::milliseconds(10));
      co_await pause.async_wait(asio::use_awaitable);
    }
    co_return std::pair{over, status};
  };
  auto [over, after] = test::run(io_, task());
  EXPECT_EQ(over.status, 503) << over.raw;
  EXPECT_NE(over.body.find("1 connections open"), std::string::npos) << over.raw;
  EXPECT_EQ(after, 200);
  EXPECT_NE(log().find("uid " + std::to_string(::getuid()) + " holds 1 connections, its limit"),
            std::string::npos)
      << log();
}

TEST_F(MetadataServerTest, CloseStopsAccepting) {
  auto s = serve();
  ASSERT_TRUE(s);
  const auto port = s->port();
  s->close();
  EXPECT_TRUE(s->closed());
  asio::ip::tcp::socket probe(io_);
  boost::system::error_code ec;
  probe.connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
  EXPECT_TRUE(ec) << "a closed endpoint accepted a connection";
}

TEST_F(MetadataServerTest, RefusesANonLoopbackListenAddress) {
  auto s = MetadataServer::bind(
      io_.get_executor(), ListenAddress{"0.0.0.0", 0}, tokens_, pool_,
      []() -> Result<metadata::MetadataIdentity> { return fail(Errc::internal, "unused"); });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::config_invalid);
}

}  // namespace
}  // namespace bqb
