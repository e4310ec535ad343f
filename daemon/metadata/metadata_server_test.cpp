// The metadata endpoint on a real 127.0.0.1 socket with a fake TokenSource: answers as client
// libraries expect them (Metadata-Flavor and GCE's Server header on every response, an ETag on
// every 200, exact JSON content type, integer expires_in, ?alt=), wait_for_change holds, the
// audit caller, refusals, keep-alive, and a connection from another uid.

#include "daemon/metadata/metadata_server.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
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
    metadata::MetadataIdentity id{tokens_.account, tokens_.granted, project, std::nullopt};
    return serve_identity([id]() -> Result<metadata::MetadataIdentity> { return id; }, options);
  }

  std::shared_ptr<MetadataServer> serve_identity(MetadataIdentityProvider provider,
                                                 MetadataServerOptions options = {}) {
    auto s = MetadataServer::bind(io_.get_executor(), ListenAddress{"127.0.0.1", 0}, tokens_, pool_,
                                  std::move(provider), options);
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

TEST_F(MetadataServerTest, EveryAnswerNamesGcesServerAndEvery200HasTheBodysEtag) {
  auto s = serve();
  ASSERT_TRUE(s);
  for (const char* target : {"/", "/computeMetadata/v1/", "/computeMetadata/v1/project/project-id",
                             "/computeMetadata/v1/instance/service-accounts/default/token",
                             "/computeMetadata/v1/instance/service-accounts/default/?recursive="
                             "true&alt=text"}) {
    auto a = get(*s, target);
    ASSERT_EQ(a.status, 200) << target << a.raw;
    EXPECT_EQ(a.headers["server"], "Metadata Server for VM") << target;
    EXPECT_EQ(a.headers["etag"], metadata::etag_of(a.body)) << target;
  }
  auto missing = get(*s, "/computeMetadata/v1/universe/universe-domain");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["server"], "Metadata Server for VM");
  EXPECT_EQ(missing.headers.count("etag"), 0u) << missing.raw;
}

TEST_F(MetadataServerTest, ThePingsGetGcesExactListings) {
  auto s = serve();
  ASSERT_TRUE(s);
  auto root = get(*s, "/");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.headers["content-type"], "application/text");
  EXPECT_EQ(root.body, "computeMetadata/\n");
  auto v1 = get(*s, "/computeMetadata/v1/");
  EXPECT_EQ(v1.body, "instance/\nproject/\n");
  auto instance = get(*s, "/computeMetadata/v1/instance");
  EXPECT_EQ(instance.status, 200);
  EXPECT_EQ(instance.body, "service-accounts/\n");
}

TEST_F(MetadataServerTest, AltChoosesJsonOrTextAndAnUnknownAltIs400) {
  auto s = serve();
  ASSERT_TRUE(s);
  auto email = get(*s, "/computeMetadata/v1/instance/service-accounts/default/email?alt=json");
  EXPECT_EQ(email.status, 200);
  EXPECT_EQ(email.headers["content-type"], "application/json");
  EXPECT_EQ(email.body, "\"ada@example.com\"");
  auto token = get(*s, "/computeMetadata/v1/instance/service-accounts/default/token?alt=text");
  EXPECT_EQ(token.status, 200);
  EXPECT_EQ(token.headers["content-type"], "application/text");
  EXPECT_EQ(token.body.rfind("access_token ya29.fake-1\nexpires_in ", 0), 0u) << token.body;
  EXPECT_EQ(log().find("ya29.fake"), std::string::npos) << log();
  auto bad = get(*s, "/computeMetadata/v1/project/project-id?alt=yaml");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.headers["metadata-flavor"], "Google");
}

// A provider whose project a test changes, counting how often the endpoint asked.
struct ChangingIdentity {
  std::string account;
  oauth::ScopeSet scopes;
  std::string project = "proj-1";
  int asked = 0;

  MetadataIdentityProvider provider() {
    return [this]() -> Result<metadata::MetadataIdentity> {
      ++asked;
      return metadata::MetadataIdentity{account, scopes, project, std::nullopt};
    };
  }
};

constexpr std::string_view kProject = "/computeMetadata/v1/project/project-id";

MetadataServerOptions quick_recheck() {
  MetadataServerOptions o;
  o.change_recheck = std::chrono::milliseconds(20);
  return o;
}

// Waits (polling, up to the test's 20 s) until `done()` holds.
asio::awaitable<void> until(std::function<bool()> done) {
  asio::steady_timer pause(co_await asio::this_coro::executor);
  while (!done()) {
    pause.expires_after(std::chrono::milliseconds(5));
    co_await pause.async_wait(asio::use_awaitable);
  }
}

// Connects to `port` and sends `request`, leaving its answer unread.
asio::awaitable<asio::ip::tcp::socket> send_request(std::uint16_t port, std::string request) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect({asio::ip::address_v4::loopback(), port}, asio::use_awaitable);
  co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
  co_return socket;
}

TEST_F(MetadataServerTest, WaitForChangeWithAnOtherEtagAnswersAtOnce) {
  auto s = serve("proj-1", quick_recheck());
  ASSERT_TRUE(s);
  // With the hour-long hold this asks for, only an answer at once ends within the test's 20 s.
  auto a = get(*s, std::string(kProject) +
                       "?wait_for_change=true&timeout_sec=3600&last_etag=0000000000000000");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "proj-1");
  EXPECT_EQ(a.headers["etag"], metadata::etag_of("proj-1"));
}

TEST_F(MetadataServerTest, WaitForChangeHoldsAnUnchangedValueUntilTheTimeout) {
  auto s = serve("proj-1", quick_recheck());
  ASSERT_TRUE(s);
  const auto start = std::chrono::steady_clock::now();
  auto a = get(*s, std::string(kProject) + "?wait_for_change=true&timeout_sec=1&last_etag=" +
                       metadata::etag_of("proj-1"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(1))
      << "answered before the timeout although nothing changed";
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "proj-1");
}

TEST_F(MetadataServerTest, WaitForChangeAnswersWhenTheValueChanges) {
  ChangingIdentity id{tokens_.account, tokens_.granted};
  auto s = serve_identity(id.provider(), quick_recheck());
  ASSERT_TRUE(s);
  const auto port = s->port();
  auto task = [&]() -> asio::awaitable<RawAnswer> {
    auto ex = co_await asio::this_coro::executor;
    std::optional<RawAnswer> answer;
    asio::co_spawn(
        ex,
        test::raw_exchange(
            port, test::metadata_get(
                      std::string(kProject) + "?wait_for_change=true&timeout_sec=3600", port)),
        [&](std::exception_ptr, RawAnswer a) { answer = std::move(a); });
    // Held: asked once for the value, then again at a re-check, and not answered.
    co_await until([&] { return id.asked >= 2; });
    EXPECT_FALSE(answer) << "answered without a change";
    id.project = "proj-2";
    co_await until([&] { return answer.has_value(); });
    co_return *answer;
  };
  auto a = test::run(io_, task());
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "proj-2");
  EXPECT_EQ(a.headers["etag"], metadata::etag_of("proj-2"));
}

TEST_F(MetadataServerTest, CloseAnswersAHeldRequestAtOnceAndClosesItsConnection) {
  ChangingIdentity id{tokens_.account, tokens_.granted};
  MetadataServerOptions options;
  options.change_recheck = std::chrono::hours(1);  // only close() can end the hold in time
  auto s = serve_identity(id.provider(), options);
  ASSERT_TRUE(s);
  const auto port = s->port();
  auto task = [&]() -> asio::awaitable<RawAnswer> {
    // Keep-alive: only the endpoint's close ends the connection after the answer.
    auto held = co_await send_request(port, "GET " + std::string(kProject) +
                                                "?wait_for_change=true HTTP/1.1\r\nHost: "
                                                "127.0.0.1\r\nMetadata-Flavor: Google\r\n\r\n");
    co_await until([&] { return id.asked >= 1; });
    s->close();
    std::string raw;
    auto [ec, n] = co_await asio::async_read(held, asio::dynamic_buffer(raw),
                                             asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, asio::error::eof) << ec.message();
    co_return test::parse_raw_answer(std::move(raw));
  };
  auto a = test::run(io_, task());
  EXPECT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body, "proj-1");
}

TEST_F(MetadataServerTest, AHeldRequestWhoseClientHangsUpFreesItsConnection) {
  ChangingIdentity id{tokens_.account, tokens_.granted};
  auto s = serve_identity(id.provider(), quick_recheck());
  ASSERT_TRUE(s);
  const auto port = s->port();
  auto task = [&]() -> asio::awaitable<int> {
    auto held = co_await send_request(
        port, test::metadata_get(std::string(kProject) + "?wait_for_change=true", port));
    co_await until([&] { return id.asked >= 2 && s->connection_count() == 1; });
    held.close();
    // Found at the next re-check, long before the hour the request asked to wait.
    co_await until([&] { return s->connection_count() == 0; });
    co_return id.asked;
  };
  EXPECT_GE(test::run(io_, task()), 2);
  EXPECT_EQ(s->connection_count(), 0u);
}

TEST_F(MetadataServerTest, WaitForChangeWithABadTimeoutIs400) {
  auto s = serve();
  ASSERT_TRUE(s);
  auto a = get(*s, std::string(kProject) + "?wait_for_change=true&timeout_sec=86400");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("timeout_sec"), std::string::npos) << a.body;
}

TEST_F(MetadataServerTest, UniverseDomainIs404SoClientsUseGoogleapisCom) {
  auto s = serve();
  ASSERT_TRUE(s);
  auto a = get(*s, "/computeMetadata/v1/universe/universe-domain");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.headers["metadata-flavor"], "Google");
}

}  // namespace
}  // namespace bqb
