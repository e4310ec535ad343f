// The HttpClient against a real loopback Beast server (plain http, which the policy allows only
// to loopback): methods, headers and bodies on the wire, keep-alive reuse as the server sees it,
// the retry rule for dead kept-alive connections, timeouts, limits and refusals.

#include "daemon/net/http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "tests/support/http_test_server.h"

namespace bqb {
namespace {

using namespace std::chrono_literals;
using test::Reply;
using test::run;
using test::SeenRequest;
using test::TestServer;

class HttpClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpClient> make_client(HttpClientOptions options = {}) {
    auto c = make_http_client(io_.get_executor(), std::move(options));
    EXPECT_TRUE(c) << c.error().message;
    return c ? std::move(*c) : nullptr;
  }

  Result<HttpResponse> send(HttpClient& client, HttpRequest request) {
    return run(io_, client.send(std::move(request)));
  }

  static HttpRequest get(std::string url, std::chrono::milliseconds timeout = 5s) {
    HttpRequest r;
    r.url = std::move(url);
    r.timeout = timeout;
    return r;
  }

  std::string url(const TestServer& server, std::string_view path = "/") {
    return "http://127.0.0.1:" + std::to_string(server.port()) + std::string(path);
  }

  boost::asio::io_context io_;  // declared first: outlives servers and clients of each test
};

Reply ok(std::string body) {
  Reply r;
  r.body = std::move(body);
  return r;
}

TEST_F(HttpClientTest, PostCarriesMethodTargetHeadersAndBody) {
  TestServer server(io_, [](const SeenRequest&) {
    Reply r;
    r.status = 201;
    r.headers = {{"Content-Type", "application/json"}, {"X-Answer", "42"}};
    r.body = R"({"ok":true})";
    return r;
  });
  auto client = make_client();
  HttpRequest req = get(url(server, "/token?x=1"));
  req.method = "POST";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Authorization", "Bearer abc"}};
  req.body = "grant_type=refresh_token&refresh_token=1%2F%2Fxyz";

  auto res = send(*client, req);
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, R"({"ok":true})");
  EXPECT_EQ(res->header("content-type"), "application/json");
  EXPECT_EQ(res->header("X-ANSWER"), "42");
  EXPECT_FALSE(res->header("X-Missing"));

  ASSERT_EQ(server.seen.size(), 1u);
  const SeenRequest& s = server.seen[0];
  EXPECT_EQ(s.method, "POST");
  EXPECT_EQ(s.target, "/token?x=1");
  EXPECT_EQ(s.body, req.body);
  EXPECT_EQ(s.headers.at("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(s.headers.at("authorization"), "Bearer abc");
  EXPECT_EQ(s.headers.at("content-length"), std::to_string(req.body.size()));
  EXPECT_EQ(s.headers.at("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(s.headers.at("user-agent").rfind("bqbroker/", 0), 0u);
}

TEST_F(HttpClientTest, NonSuccessStatusIsAResponseNotAnError) {
  TestServer server(io_, [](const SeenRequest&) {
    Reply r;
    r.status = 400;
    r.body = R"({"error":"invalid_grant"})";
    return r;
  });
  auto client = make_client();
  auto res = send(*client, get(url(server)));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, R"({"error":"invalid_grant"})");
}

TEST_F(HttpClientTest, KeepAliveReusesOneConnection) {
  TestServer server(io_, [](const SeenRequest& s) { return ok(s.target); });
  auto client = make_client();
  for (std::string path : {"/a", "/b", "/c"}) {
    auto res = send(*client, get(url(server, path)));
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(res->body, path);
  }
  EXPECT_EQ(server.connections, 1);
  ASSERT_EQ(server.seen.size(), 3u);
  for (const auto& s : server.seen) EXPECT_EQ(s.connection, 1);
}

TEST_F(HttpClientTest, ConcurrentRequestsTakeSeparateConnectionsThenShareThePool) {
  using namespace boost::asio::experimental::awaitable_operators;
  TestServer server(io_, [](const SeenRequest& s) { return ok(s.target); });
  auto client = make_client();
  auto both = run(io_, [&]() -> boost::asio::awaitable<std::pair<bool, bool>> {
    auto [a, b] =
        co_await (client->send(get(url(server, "/1"))) && client->send(get(url(server, "/2"))));
    co_return std::pair{a && a->body == "/1", b && b->body == "/2"};
  }());
  EXPECT_TRUE(both.first);
  EXPECT_TRUE(both.second);
  EXPECT_EQ(server.connections, 2);

  auto third = send(*client, get(url(server, "/3")));
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(server.connections, 2) << "the third request reuses an idle connection";
}

TEST_F(HttpClientTest, ConnectionCloseFromTheServerIsHonoured) {
  TestServer server(io_, [](const SeenRequest&) {
    Reply r = ok("bye");
    r.close = true;
    return r;
  });
  auto client = make_client();
  ASSERT_TRUE(send(*client, get(url(server))));
  ASSERT_TRUE(send(*client, get(url(server))));
  EXPECT_EQ(server.connections, 2);
}

// The server answers the first request, then drops the connection when the second one arrives
// on it: what a kept-alive connection that the server timed out looks like.
Reply answer_first_then_drop(const SeenRequest& s) {
  if (s.connection == 1 && s.target != "/first") return test::reply_by(Reply::Action::drop);
  return ok("fine");
}

TEST_F(HttpClientTest, IdempotentRequestOnADeadReusedConnectionIsRetriedOnce) {
  TestServer server(io_, answer_first_then_drop);
  auto client = make_client();
  ASSERT_TRUE(send(*client, get(url(server, "/first"))));
  auto res = send(*client, get(url(server, "/second")));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, "fine");
  EXPECT_EQ(server.connections, 2);
  ASSERT_EQ(server.seen.size(), 3u);
  EXPECT_EQ(server.seen[2].connection, 2);
  EXPECT_EQ(server.seen[2].target, "/second");
}

TEST_F(HttpClientTest, PostAlreadySentOnADeadReusedConnectionIsNotRepeated) {
  TestServer server(io_, answer_first_then_drop);
  auto client = make_client();
  ASSERT_TRUE(send(*client, get(url(server, "/first"))));
  HttpRequest post = get(url(server, "/token"));
  post.method = "POST";
  post.body = "grant_type=refresh_token";
  auto res = send(*client, post);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::upstream_unavailable);
  EXPECT_NE(res.error().message.find("127.0.0.1"), std::string::npos) << res.error().message;
  EXPECT_EQ(server.seen.size(), 2u) << "the POST reached the server once and was not repeated";
}

TEST_F(HttpClientTest, ServerThatNeverAnswersTimesOut) {
  TestServer server(io_, [](const SeenRequest&) { return test::reply_by(Reply::Action::hang); });
  auto client = make_client();
  auto started = std::chrono::steady_clock::now();
  auto res = send(*client, get(url(server), 200ms));
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::upstream_unavailable);
  EXPECT_NE(res.error().message.find("timed out after 200 ms"), std::string::npos)
      << res.error().message;
  EXPECT_NE(res.error().message.find("127.0.0.1"), std::string::npos) << res.error().message;
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 5s);
  EXPECT_EQ(server.seen.size(), 1u);
}

TEST_F(HttpClientTest, ConnectionRefusedIsUpstreamUnavailable) {
  std::uint16_t port;
  {
    boost::asio::ip::tcp::acceptor probe(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  auto client = make_client();
  auto res = send(*client, get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::upstream_unavailable);
  EXPECT_NE(res.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << res.error().message;
}

TEST_F(HttpClientTest, PlainHttpToANonLoopbackHostIsRefusedBeforeConnecting) {
  auto client = make_client();
  auto res = send(*client, get("http://oauth2.googleapis.com/token"));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::tls_error);
  EXPECT_NE(res.error().message.find("oauth2.googleapis.com"), std::string::npos);
}

TEST_F(HttpClientTest, OversizedResponseBodyIsRefused) {
  TestServer server(io_, [](const SeenRequest&) { return ok(std::string(4096, 'x')); });
  HttpClientOptions options;
  options.max_response_bytes = 1024;
  auto client = make_client(options);
  auto res = send(*client, get(url(server)));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::upstream_error);
  EXPECT_NE(res.error().message.find("1024 bytes"), std::string::npos) << res.error().message;
}

TEST_F(HttpClientTest, UnknownMethodIsABadRequest) {
  auto client = make_client();
  HttpRequest r = get("http://127.0.0.1:1/");
  r.method = "FROB";
  auto res = send(*client, r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::bad_request);
}

TEST(MakeHttpClient, RefusesAMissingCaFileAndABadProxy) {
  boost::asio::io_context io;
  HttpClientOptions missing;
  missing.ca_file = "/nonexistent/ca.pem";
  auto a = make_http_client(io.get_executor(), missing);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::config_invalid);
  EXPECT_NE(a.error().message.find("/nonexistent/ca.pem"), std::string::npos);

  HttpClientOptions proxy;
  proxy.proxy.https_proxy = "socks5://proxy:1080";
  auto b = make_http_client(io.get_executor(), proxy);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::config_invalid);
  EXPECT_NE(b.error().message.find("HTTPS_PROXY"), std::string::npos);
}

}  // namespace
}  // namespace bqb
