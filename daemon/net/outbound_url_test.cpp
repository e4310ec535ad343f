#include "daemon/net/outbound_url.h"

#include <gtest/gtest.h>

#include "daemon/net/outbound_proxy.h"

namespace bqb {
namespace {

TEST(IsLoopbackHost, AcceptsOnlyLoopbackAddressesAndLocalhost) {
  for (const char* h : {"localhost", "LocalHost", "127.0.0.1", "127.1.2.3", "127.255.255.254",
                        "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(is_loopback_host(h)) << h;
  }
  for (const char* h : {"128.0.0.1", "10.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.1",
                        "localhost.example.com", "mylocalhost", "127.0.0.1.nip.io", ""}) {
    EXPECT_FALSE(is_loopback_host(h)) << h;
  }
}

TEST(ParseOutboundUrl, HttpsToAnyHost) {
  auto t = parse_outbound_url("https://OAuth2.GoogleAPIs.com/token?x=1#frag");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->host, "oauth2.googleapis.com");
  EXPECT_FALSE(t->host_is_ip);
  EXPECT_FALSE(t->loopback);
  EXPECT_EQ(t->port, 443);
  EXPECT_EQ(t->target, "/token?x=1");
  EXPECT_EQ(t->host_header(), "oauth2.googleapis.com");
  EXPECT_EQ(t->authority(), "oauth2.googleapis.com:443");
  EXPECT_EQ(t->origin(), "https://oauth2.googleapis.com:443");
  EXPECT_EQ(t->loggable(), "https://oauth2.googleapis.com/token");
}

TEST(ParseOutboundUrl, PlainHttpToLoopback) {
  auto v4 = parse_outbound_url("http://127.0.0.1:8080");
  ASSERT_TRUE(v4) << v4.error().message;
  EXPECT_FALSE(v4->tls);
  EXPECT_TRUE(v4->host_is_ip);
  EXPECT_TRUE(v4->loopback);
  EXPECT_EQ(v4->port, 8080);
  EXPECT_EQ(v4->target, "/");
  EXPECT_EQ(v4->host_header(), "127.0.0.1:8080");

  auto v6 = parse_outbound_url("http://[::1]:9000/a%20b?q=%2F");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority(), "[::1]:9000");
  EXPECT_EQ(v6->target, "/a%20b?q=%2F");

  auto name = parse_outbound_url("http://localhost/token");
  ASSERT_TRUE(name) << name.error().message;
  EXPECT_EQ(name->port, 80);
  EXPECT_EQ(name->host_header(), "localhost");
}

TEST(ParseOutboundUrl, RefusesPlainHttpToOtherHosts) {
  for (const char* url : {"http://oauth2.googleapis.com/token?refresh_token=1//secret",
                          "http://10.0.0.1/", "http://localhost.evil.test/", "http://[::2]/"}) {
    auto t = parse_outbound_url(url);
    ASSERT_FALSE(t) << url;
    EXPECT_EQ(t.error().code, Errc::tls_error) << url;
    EXPECT_NE(t.error().message.find("plain http"), std::string::npos) << t.error().message;
    EXPECT_EQ(t.error().message.find("secret"), std::string::npos) << "query leaked";
  }
}

TEST(ParseOutboundUrl, RefusesMalformedUrls) {
  for (const char* url : {"", "oauth2.googleapis.com/token", "ftp://example.com/", "https:///path",
                          "https://user:pw@example.com/", "https://h:99999/", "https://h:0/"}) {
    auto t = parse_outbound_url(url);
    ASSERT_FALSE(t) << url;
    EXPECT_EQ(t.error().code, Errc::bad_request) << url;
  }
  auto t = parse_outbound_url("https://user:pw@example.com/");
  EXPECT_EQ(t.error().message.find("pw"), std::string::npos) << t.error().message;
}

TEST(NoProxyMatches, FollowsTheCurlConventions) {
  EXPECT_TRUE(no_proxy_matches("*", "anything.example", 443));
  EXPECT_TRUE(no_proxy_matches("example.com", "example.com", 443));
  EXPECT_TRUE(no_proxy_matches("example.com", "api.example.com", 443));
  EXPECT_TRUE(no_proxy_matches(".example.com", "api.example.com", 443));
  EXPECT_TRUE(no_proxy_matches(".example.com", "example.com", 443));
  EXPECT_TRUE(no_proxy_matches("EXAMPLE.com", "Example.COM", 443));
  EXPECT_FALSE(no_proxy_matches("example.com", "badexample.com", 443));
  EXPECT_FALSE(no_proxy_matches("api.example.com", "example.com", 443));
  EXPECT_TRUE(no_proxy_matches("a.test, b.test ,c.test", "b.test", 443));
  EXPECT_TRUE(no_proxy_matches("a.test,,\tc.test", "c.test", 443));
  EXPECT_FALSE(no_proxy_matches("a.test,c.test", "b.test", 443));
  EXPECT_FALSE(no_proxy_matches("", "b.test", 443));
  EXPECT_FALSE(no_proxy_matches(" , ", "b.test", 443));
  EXPECT_FALSE(no_proxy_matches("*.test", "b.test", 443)) << "only a lone * is a wildcard";
}

TEST(NoProxyMatches, PortsAndAddresses) {
  EXPECT_TRUE(no_proxy_matches("example.com:443", "example.com", 443));
  EXPECT_FALSE(no_proxy_matches("example.com:8443", "example.com", 443));
  EXPECT_TRUE(no_proxy_matches("10.1.2.3", "10.1.2.3", 443));
  EXPECT_FALSE(no_proxy_matches("10.1.2.3", "10.1.2.4", 443));
  EXPECT_TRUE(no_proxy_matches("10.0.0.0/8", "10.200.3.4", 443));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "11.0.0.1", 443));
  EXPECT_TRUE(no_proxy_matches("192.168.1.0/24", "192.168.1.77", 443));
  EXPECT_FALSE(no_proxy_matches("192.168.1.0/33", "192.168.1.77", 443));
  EXPECT_TRUE(no_proxy_matches("fe80::1", "fe80::1", 443));
  EXPECT_TRUE(no_proxy_matches("[fe80::1]:443", "fe80::1", 443));
  EXPECT_FALSE(no_proxy_matches("[fe80::1]:80", "fe80::1", 443));
}

TEST(ParseProxyUrl, AcceptsHttpProxiesWithOptionalCredentials) {
  auto p = parse_proxy_url("http://proxy.corp:3128/", "HTTPS_PROXY");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->host, "proxy.corp");
  EXPECT_EQ(p->port, 3128);
  EXPECT_FALSE(p->authorization);
  EXPECT_EQ(p->loggable(), "http://proxy.corp:3128");

  auto bare = parse_proxy_url("Proxy.Corp", "HTTPS_PROXY");
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->host, "proxy.corp");
  EXPECT_EQ(bare->port, 80);

  auto auth = parse_proxy_url("http://al%40ice:p%3Ass@10.0.0.5:8080", "HTTPS_PROXY");
  ASSERT_TRUE(auth) << auth.error().message;
  ASSERT_TRUE(auth->authorization);
  // base64("al@ice:p:ss")
  EXPECT_EQ(auth->authorization->reveal(), "Basic YWxAaWNlOnA6c3M=");
  EXPECT_EQ(auth->loggable(), "http://10.0.0.5:8080");
}

TEST(ParseProxyUrl, RefusesWhatItCannotUseWithoutQuotingTheValue) {
  for (const char* v : {"https://user:hunter22@proxy:443", "socks5://user:hunter22@proxy:1080",
                        "http://user:hunter22@:3128", "http://user:hunter22@proxy:99999"}) {
    auto p = parse_proxy_url(v, "HTTPS_PROXY");
    ASSERT_FALSE(p) << v;
    EXPECT_EQ(p.error().code, Errc::config_invalid) << v;
    EXPECT_NE(p.error().message.find("HTTPS_PROXY"), std::string::npos) << p.error().message;
    EXPECT_EQ(p.error().message.find("hunter22"), std::string::npos) << p.error().message;
  }
}

TEST(SelectProxy, ChoosesByScheme_BypassesLoopbackAndNoProxy) {
  ProxySettings s{"http://p:3128", "", "internal.corp"};
  auto google = parse_outbound_url("https://oauth2.googleapis.com/token");
  ASSERT_TRUE(google);
  auto chosen = select_proxy(*google, s);
  ASSERT_TRUE(chosen) << chosen.error().message;
  ASSERT_TRUE(chosen->has_value());
  EXPECT_EQ((*chosen)->host, "p");

  auto internal = parse_outbound_url("https://bq.internal.corp/");
  ASSERT_TRUE(internal);
  EXPECT_FALSE(select_proxy(*internal, s)->has_value());

  auto local = parse_outbound_url("https://127.0.0.1:8443/");
  ASSERT_TRUE(local);
  EXPECT_FALSE(select_proxy(*local, s)->has_value());
  auto plain = parse_outbound_url("http://localhost:8080/");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(select_proxy(*plain, ProxySettings{"", "http://p:3128", ""})->has_value());

  EXPECT_FALSE(select_proxy(*google, ProxySettings{})->has_value());
  EXPECT_FALSE(select_proxy(*google, ProxySettings{"", "http://p:3128", ""})->has_value())
      << "http_proxy is not used for https";

  auto bad = select_proxy(*google, ProxySettings{"ftp://p", "", ""});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::config_invalid);
}

TEST(ProxySettings, ReadsLowerCaseFirstThenUpperCase) {
  auto env = [](const char* name) -> const char* {
    std::string_view n = name;
    if (n == "https_proxy") return "";
    if (n == "HTTPS_PROXY") return "http://upper:1";
    if (n == "http_proxy") return "http://lower:2";
    if (n == "HTTP_PROXY") return "http://upper:2";
    if (n == "NO_PROXY") return ".corp";
    return nullptr;
  };
  ProxySettings s = ProxySettings::from_environment(env);
  EXPECT_EQ(s.https_proxy, "http://upper:1");
  EXPECT_EQ(s.http_proxy, "http://lower:2");
  EXPECT_EQ(s.no_proxy, ".corp");
}

}  // namespace
}  // namespace bqb
