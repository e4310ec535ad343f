// Metadata sessions: opened through POST /v1/metadata-sessions with the account and scopes checked
// by one token request, served on their own loopback port, closed by DELETE and when the process
// that opened them (or the child it handed them to) exits.

#include "daemon/metadata/metadata_sessions.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "daemon/base/blocking.h"
#include "daemon/metadata/api_metadata.h"
#include "tests/support/http_test_server.h"
#include "tests/support/metadata_test_support.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A process that lives until its pipe is closed: the session's owner.
struct OwnerProcess {
  pid_t pid = -1;
  int release_fd = -1;

  OwnerProcess() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    pid = ::fork();
    if (pid == 0) {
      ::close(fds[1]);
      char c;
      (void)::read(fds[0], &c, 1);
      ::_exit(0);
    }
    ::close(fds[0]);
    release_fd = fds[1];
  }
  void exit_now() {
    if (release_fd >= 0) ::close(std::exchange(release_fd, -1));
    if (pid > 0) ::waitpid(std::exchange(pid, -1), nullptr, 0);
  }
  ~OwnerProcess() { exit_now(); }
};

class MetadataSessionsTest : public ::testing::Test {
 protected:
  MetadataSessionsTest() {
    MetadataSessionsOptions options;
    options.default_project = std::nullopt;
    sessions_ = std::make_unique<MetadataSessions>(
        io_.get_executor(), tokens_, pool_,
        [](const std::string& account) -> std::optional<std::string> {
          return account == "ada@example.com" ? std::optional<std::string>("ada-project")
                                              : std::nullopt;
        },
        options);
    add_metadata_routes(router_, *sessions_);
  }

  http::Response call(http::beast_http::verb method, std::string target, std::string body,
                      PeerCred peer) {
    http::Request req{method, target, 11};
    req.body() = body;
    req.prepare_payload();
    return test::run(io_, router_.dispatch(req, peer));
  }

  api::MetadataSession open_ok(std::string body, PeerCred peer) {
    auto res = call(http::beast_http::verb::post, "/v1/metadata-sessions", std::move(body), peer);
    EXPECT_EQ(res.result_int(), 201) << res.body();
    auto s = api::parse_metadata_session(nlohmann::json::parse(res.body()));
    EXPECT_TRUE(s);
    return s ? *s : api::MetadataSession{};
  }

  http::Response follow(const std::string& id, std::string body, PeerCred peer) {
    return call(http::beast_http::verb::put, "/v1/metadata-sessions/" + id + "/process",
                std::move(body), peer);
  }

  /// Runs the io thread (a pidfd wakes it) until no session is left, for at most 5 s.
  bool all_closed() {
    auto wait = [&]() -> asio::awaitable<bool> {
      asio::steady_timer t(co_await asio::this_coro::executor);
      for (int i = 0; i < 500 && sessions_->size() != 0; ++i) {
        t.expires_after(10ms);
        co_await t.async_wait(asio::use_awaitable);
      }
      co_return sessions_->size() == 0;
    };
    return test::run(io_, wait());
  }

  static std::uint16_t port_of(const api::MetadataSession& s) {
    return static_cast<std::uint16_t>(std::stoi(s.host.substr(s.host.rfind(':') + 1)));
  }

  bool connectable(std::uint16_t port) {
    asio::ip::tcp::socket probe(io_);
    boost::system::error_code ec;
    probe.connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
    return !ec;
  }

  asio::io_context io_;
  test::FakeTokenSource tokens_;
  BlockingPool pool_{1};  // the endpoints' owner lookups
  std::unique_ptr<MetadataSessions> sessions_;
  http::Router router_;
};

TEST_F(MetadataSessionsTest, PostOpensAnEndpointServingThatAccountAndScopes) {
  OwnerProcess owner;
  auto s = open_ok(R"({"scopes":["bigquery.readonly"]})", PeerCred{owner.pid, ::getuid(), 0});
  EXPECT_EQ(s.account, "ada@example.com");
  EXPECT_EQ(s.scopes,
            std::vector<std::string>{"https://www.googleapis.com/auth/bigquery.readonly"});
  EXPECT_EQ(s.project, "ada-project");
  EXPECT_EQ(s.host.rfind("127.0.0.1:", 0), 0u) << s.host;
  EXPECT_FALSE(s.session_id.empty());
  // The check at POST time was one token request, audited as the caller.
  ASSERT_EQ(tokens_.requests.size(), 1u);
  EXPECT_EQ(tokens_.requests[0].caller.pid, owner.pid);
  EXPECT_EQ(tokens_.requests[0].caller.via, "metadata session");

  const auto port = port_of(s);
  auto token = test::run(
      io_, test::raw_exchange(
               port, test::metadata_get(
                         "/computeMetadata/v1/instance/service-accounts/default/token", port)));
  ASSERT_EQ(token.status, 200) << token.raw;
  ASSERT_EQ(tokens_.requests.size(), 2u);
  EXPECT_EQ(tokens_.requests[1].scopes,
            oauth::ScopeSet::from_list({"bigquery.readonly"}, "t").value());
  EXPECT_EQ(tokens_.requests[1].account, "ada@example.com");
  // Wider than the session's scopes: refused although the account granted them.
  auto wider = test::run(
      io_, test::raw_exchange(
               port, test::metadata_get("/computeMetadata/v1/instance/service-accounts/default/"
                                        "token?scopes=https://www.googleapis.com/auth/bigquery",
                                        port)));
  EXPECT_EQ(wider.status, 403);
}

TEST_F(MetadataSessionsTest, ErrorsComeBackAtPostTime) {
  OwnerProcess owner;
  const PeerCred peer{owner.pid, ::getuid(), 0};
  tokens_.error = Error{Errc::needs_login, "log in", "bqbroker login"};
  auto res = call(http::beast_http::verb::post, "/v1/metadata-sessions", "", peer);
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_NE(res.body().find("needs_login"), std::string::npos);
  tokens_.error.reset();
  res = call(http::beast_http::verb::post, "/v1/metadata-sessions",
             R"({"scopes":["cloud-platform"]})", peer);
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_NE(res.body().find("scope_not_granted"), std::string::npos);
  res = call(http::beast_http::verb::post, "/v1/metadata-sessions", R"({"scopes":["a b"]})", peer);
  EXPECT_EQ(res.result_int(), 400);
  res = call(http::beast_http::verb::post, "/v1/metadata-sessions", R"({"account":7})", peer);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(sessions_->size(), 0u);
}

TEST_F(MetadataSessionsTest, RequestedProjectWins) {
  OwnerProcess owner;
  auto s = open_ok(R"({"project":"other"})", PeerCred{owner.pid, ::getuid(), 0});
  EXPECT_EQ(s.project, "other");
  EXPECT_EQ(s.scopes, tokens_.granted.items());
}

TEST_F(MetadataSessionsTest, DeleteClosesTheEndpoint) {
  OwnerProcess owner;
  auto s = open_ok("{}", PeerCred{owner.pid, ::getuid(), 0});
  ASSERT_TRUE(connectable(port_of(s)));
  auto res = call(http::beast_http::verb::delete_, "/v1/metadata-sessions/" + s.session_id, "",
                  PeerCred{owner.pid, ::getuid(), 0});
  EXPECT_EQ(res.result_int(), 204);
  EXPECT_EQ(sessions_->size(), 0u);
  EXPECT_FALSE(connectable(port_of(s)));
  res = call(http::beast_http::verb::delete_, "/v1/metadata-sessions/" + s.session_id, "",
             PeerCred{owner.pid, ::getuid(), 0});
  EXPECT_EQ(res.result_int(), 404);
}

TEST_F(MetadataSessionsTest, OwnerExitClosesTheEndpoint) {
  OwnerProcess owner;
  auto s = open_ok("{}", PeerCred{owner.pid, ::getuid(), 0});
  ASSERT_EQ(sessions_->size(), 1u);
  owner.exit_now();
  EXPECT_TRUE(all_closed());
  EXPECT_FALSE(connectable(port_of(s)));
}

// bqbroker exec hands the session to its child: then the child's exit closes it, and the
// opener's does not matter any more.
TEST_F(MetadataSessionsTest, AHandedOverSessionClosesWhenTheChildExits) {
  const PeerCred me{::getpid(), ::getuid(), 0};
  auto s = open_ok("{}", me);
  OwnerProcess child;  // forked by this process: its child
  auto res = follow(s.session_id, fmt::format(R"({{"pid":{}}})", child.pid), me);
  EXPECT_EQ(res.result_int(), 204) << res.body();
  ASSERT_TRUE(connectable(port_of(s)));
  child.exit_now();
  EXPECT_TRUE(all_closed());
  EXPECT_FALSE(connectable(port_of(s)));
}

TEST_F(MetadataSessionsTest, OnlyTheOpenerMayHandItOnAndOnlyToItsOwnChild) {
  const PeerCred me{::getpid(), ::getuid(), 0};
  auto s = open_ok("{}", me);
  OwnerProcess child, stranger;
  // Another process of the same user than the opener.
  auto res = follow(s.session_id, fmt::format(R"({{"pid":{}}})", child.pid),
                    PeerCred{stranger.pid, ::getuid(), 0});
  EXPECT_EQ(res.result_int(), 403) << res.body();
  EXPECT_NE(res.body().find("only the process that opened"), std::string::npos) << res.body();
  // A process that is not the opener's child (its parent here).
  res = follow(s.session_id, fmt::format(R"({{"pid":{}}})", ::getppid()), me);
  EXPECT_EQ(res.result_int(), 403) << res.body();
  EXPECT_NE(res.body().find("is not a child of process"), std::string::npos) << res.body();
  // No such process, no such session, no pid.
  OwnerProcess reaped;
  const pid_t gone = reaped.pid;
  reaped.exit_now();
  res = follow(s.session_id, fmt::format(R"({{"pid":{}}})", gone), me);
  EXPECT_EQ(res.result_int(), 404) << res.body();
  res = follow("nope", fmt::format(R"({{"pid":{}}})", child.pid), me);
  EXPECT_EQ(res.result_int(), 404) << res.body();
  for (const char* bad : {"{}", R"({"pid":0})", R"({"pid":-3})", R"({"pid":"x"})", "[]"}) {
    res = follow(s.session_id, bad, me);
    EXPECT_EQ(res.result_int(), 400) << bad << ": " << res.body();
  }
  // Every refusal left the session as it was: still open, still the opener's. (The stranger,
  // forked after the child, holds a copy of the child's release pipe: it goes first.)
  stranger.exit_now();
  child.exit_now();
  ASSERT_EQ(sessions_->size(), 1u);
  EXPECT_TRUE(connectable(port_of(s)));
}

TEST_F(MetadataSessionsTest, AnOwnerThatAlreadyExitedIsRefused) {
  OwnerProcess owner;
  const pid_t gone = owner.pid;
  owner.exit_now();
  auto res = call(http::beast_http::verb::post, "/v1/metadata-sessions", "{}",
                  PeerCred{gone, ::getuid(), 0});
  EXPECT_EQ(res.result_int(), 409) << res.body();
  EXPECT_EQ(sessions_->size(), 0u);
}

}  // namespace
}  // namespace bqb
