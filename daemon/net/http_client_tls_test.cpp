// The HttpClient's TLS and proxy behaviour against an in-test HTTPS server whose certificate comes
// from a CA made at test time: refused without `[tls] ca_file`, accepted with it, refused on a
// host-name mismatch; and HTTPS through a CONNECT proxy, which NO_PROXY bypasses.

#include <unistd.h>

#include <gtest/gtest.h>

#include "daemon/net/http_client.h"
#include "tests/support/http_test_server.h"
#include "tests/support/throwaway_ca.h"

namespace bqb {
namespace {

using namespace std::chrono_literals;
using test::Reply;
using test::run;
using test::SeenRequest;
using test::TestConnectProxy;
using test::TestServer;
using test::ThrowawayCa;

Reply hello(const SeenRequest& s) {
  Reply r;
  r.body = "hello " + s.target;
  return r;
}

class HttpClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { ca_file_ = ca_.write_cert_file(::testing::TempDir()); }
  void TearDown() override { ::unlink(ca_file_.c_str()); }

  std::shared_ptr<boost::asio::ssl::context> server_tls(const std::string& sans) {
    auto issued = ca_.issue(sans);
    auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    ctx->use_certificate_chain(boost::asio::buffer(issued.cert_pem));
    ctx->use_private_key(boost::asio::buffer(issued.key_pem), boost::asio::ssl::context::pem);
    return ctx;
  }

  std::unique_ptr<HttpClient> make_client(HttpClientOptions options) {
    auto c = make_http_client(io_.get_executor(), std::move(options));
    EXPECT_TRUE(c) << c.error().message;
    return c ? std::move(*c) : nullptr;
  }

  HttpClientOptions trusting_ca() {
    HttpClientOptions o;
    o.ca_file = ca_file_;
    return o;
  }

  Result<HttpResponse> get(HttpClient& client, std::string url) {
    HttpRequest r;
    r.url = std::move(url);
    r.timeout = 5s;
    return run(io_, client.send(std::move(r)));
  }

  boost::asio::io_context io_;
  ThrowawayCa ca_;
  std::string ca_file_;
};

TEST_F(HttpClientTlsTest, UnknownCaIsRefusedWithoutCaFile) {
  TestServer server(io_, hello, server_tls("DNS:localhost,IP:127.0.0.1"));
  auto client = make_client({});
  auto res = get(*client, "https://127.0.0.1:" + std::to_string(server.port()) + "/x");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::tls_error);
  EXPECT_NE(res.error().message.find("certificate verification failed for 127.0.0.1"),
            std::string::npos)
      << res.error().message;
  EXPECT_NE(res.error().message.find("issuer"), std::string::npos) << res.error().message;
  EXPECT_NE(res.error().hint.find("ca_file"), std::string::npos) << res.error().hint;
  EXPECT_TRUE(server.seen.empty());
}

TEST_F(HttpClientTlsTest, AcceptedWithCaFile_SniForNamesOnly_ConnectionReused) {
  TestServer server(io_, hello, server_tls("DNS:localhost,IP:127.0.0.1"));
  auto client = make_client(trusting_ca());
  std::string port = std::to_string(server.port());

  auto by_ip = get(*client, "https://127.0.0.1:" + port + "/a");
  ASSERT_TRUE(by_ip) << by_ip.error().message;
  EXPECT_EQ(by_ip->body, "hello /a");
  auto again = get(*client, "https://127.0.0.1:" + port + "/b");
  ASSERT_TRUE(again) << again.error().message;
  auto by_name = get(*client, "https://localhost:" + port + "/c");
  ASSERT_TRUE(by_name) << by_name.error().message;
  EXPECT_EQ(by_name->body, "hello /c");

  EXPECT_EQ(server.connections, 2) << "one kept-alive connection per origin";
  ASSERT_EQ(server.server_names.size(), 2u);
  EXPECT_EQ(server.server_names[0], "") << "no SNI for an IP literal";
  EXPECT_EQ(server.server_names[1], "localhost");
  ASSERT_EQ(server.seen.size(), 3u);
  EXPECT_EQ(server.seen[2].headers.at("host"), "localhost:" + port);
}

TEST_F(HttpClientTlsTest, HostNameMismatchIsRefused) {
  TestServer server(io_, hello, server_tls("DNS:other.test"));
  auto client = make_client(trusting_ca());
  std::string port = std::to_string(server.port());

  auto by_ip = get(*client, "https://127.0.0.1:" + port + "/");
  ASSERT_FALSE(by_ip);
  EXPECT_EQ(by_ip.error().code, Errc::tls_error);
  EXPECT_NE(by_ip.error().message.find("IP address mismatch"), std::string::npos)
      << by_ip.error().message;

  auto by_name = get(*client, "https://localhost:" + port + "/");
  ASSERT_FALSE(by_name);
  EXPECT_EQ(by_name.error().code, Errc::tls_error);
  EXPECT_NE(by_name.error().message.find("localhost"), std::string::npos);
  EXPECT_NE(by_name.error().message.find("hostname mismatch"), std::string::npos)
      << by_name.error().message;
  EXPECT_TRUE(server.seen.empty());
}

TEST_F(HttpClientTlsTest, HttpsGoesThroughTheProxyWithConnect) {
  TestServer server(io_, hello, server_tls("DNS:bq.test"));
  TestConnectProxy proxy(io_, server.port());
  HttpClientOptions options = trusting_ca();
  options.proxy.https_proxy = "http://u:p@127.0.0.1:" + std::to_string(proxy.port());
  options.proxy.no_proxy = "internal.test";
  auto client = make_client(options);

  // bq.test does not resolve here: only the proxy knows where it is, as in a corporate network.
  auto first = get(*client, "https://bq.test:8443/v1/q?x=1");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->body, "hello /v1/q?x=1");
  auto second = get(*client, "https://bq.test:8443/v1/r");
  ASSERT_TRUE(second) << second.error().message;

  ASSERT_EQ(proxy.request_lines.size(), 1u) << "the tunnel is kept alive and reused";
  EXPECT_EQ(proxy.request_lines[0], "CONNECT bq.test:8443");
  EXPECT_EQ(proxy.authorizations[0], "Basic dTpw");  // base64("u:p")
  ASSERT_EQ(server.server_names.size(), 1u);
  EXPECT_EQ(server.server_names[0], "bq.test") << "TLS runs end to end inside the tunnel";
  EXPECT_EQ(server.seen.at(0).headers.at("host"), "bq.test:8443");
}

TEST_F(HttpClientTlsTest, NoProxyAndLoopbackBypassTheProxy) {
  TestServer server(io_, hello, server_tls("DNS:localhost,IP:127.0.0.1,IP:192.0.2.1"));
  TestConnectProxy proxy(io_, server.port());
  HttpClientOptions options = trusting_ca();
  options.proxy.https_proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  options.proxy.no_proxy = "example.test, 192.0.2.0/24";
  auto client = make_client(options);

  // Loopback is never proxied.
  auto local = get(*client, "https://127.0.0.1:" + std::to_string(server.port()) + "/");
  ASSERT_TRUE(local) << local.error().message;

  // 192.0.2.1 (TEST-NET-1) through the proxy would reach the server; NO_PROXY sends it direct,
  // where nothing answers.
  HttpRequest r;
  r.url = "https://192.0.2.1/";
  r.timeout = 300ms;
  auto direct = run(io_, client->send(r));
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().code, Errc::upstream_unavailable);
  EXPECT_NE(direct.error().message.find("192.0.2.1"), std::string::npos) << direct.error().message;
  EXPECT_EQ(proxy.connections, 0);

  // The same address without the NO_PROXY entry goes through the proxy.
  HttpClientOptions proxied = trusting_ca();
  proxied.proxy.https_proxy = options.proxy.https_proxy;
  auto client2 = make_client(proxied);
  r.timeout = 5s;
  auto via_proxy = run(io_, client2->send(r));
  ASSERT_TRUE(via_proxy) << via_proxy.error().message;
  ASSERT_EQ(proxy.request_lines.size(), 1u);
  EXPECT_EQ(proxy.request_lines[0], "CONNECT 192.0.2.1:443");
}

TEST_F(HttpClientTlsTest, ProxyRefusingTheTunnelIsUpstreamUnavailable) {
  // A plain HTTP server stands in for a proxy that refuses: it answers CONNECT with 407.
  TestServer fake_proxy(io_, [](const SeenRequest&) {
    Reply r;
    r.status = 407;
    return r;
  });
  HttpClientOptions options = trusting_ca();
  options.proxy.https_proxy = "http://127.0.0.1:" + std::to_string(fake_proxy.port());
  auto client = make_client(options);
  auto res = get(*client, "https://bq.test/");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Errc::upstream_unavailable);
  EXPECT_NE(res.error().message.find("407"), std::string::npos) << res.error().message;
  EXPECT_NE(res.error().message.find("CONNECT bq.test:443"), std::string::npos);
  EXPECT_NE(res.error().hint.find("HTTPS_PROXY"), std::string::npos);
}

}  // namespace
}  // namespace bqb
