// Hostile input, one named kind per test case, against the real daemon's two faces: the Unix
// socket API and a metadata endpoint on loopback TCP (the one a `bqbroker exec` session opens).
// Each row of the table says what is sent and what must come back: the statuses of the responses
// read, in order, then whether the daemon closes the connection or keeps serving it. After every
// kind, whatever it did, the daemon is still up, every connection slot comes back (as many
// connections as the cap allows, open at once, each answered 200), and a fresh valid request is
// served. The socket API runs with [server] max_connections = 8 and request_timeout_seconds = 2;
// a metadata endpoint has its own fixed cap of 64 and a 30 s request timeout
// (daemon/metadata/metadata_server.h), which is what its slowloris kind waits out.

#include <poll.h>
#include <sys/socket.h>

#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kSocketCap = 8;
constexpr std::size_t kMetadataCap = 64;  // MetadataServerOptions::max_connections
// MetadataServerOptions::peers.max_per_uid: of kMetadataCap connections of one user at once,
// this many are served and the rest answered 503 (the slots kept free for owner lookups).
constexpr std::size_t kMetadataPerUid = 56;
constexpr auto kSocketRequestTimeout = 2s;
constexpr auto kMetadataRequestTimeout = 30s;  // MetadataServerOptions::request_timeout
constexpr std::string_view kAlice = "alice@example.com";

enum class Target { socket_api, metadata };

/// How the bytes of a kind are delivered.
enum class How {
  send,             // all at once (stopping early if the daemon answers mid-upload)
  send_half_close,  // all at once, then shutdown(SHUT_WR)
  trickle,          // one byte every 250 ms, each well inside the request timeout
  flood,            // 10,000 connections opened and dropped, 100 at a time; nothing sent
};

/// After the responses: the daemon closes the connection, or it keeps it and serves another
/// request on it; `dropped` is for a flood, whose connections the test itself drops.
enum class Then { closed, open, dropped };

struct Kind {
  std::string name;
  Target target;
  std::string bytes;
  std::vector<int> statuses;  // every response the daemon sends, in order
  Then then;
  How how = How::send;
};

std::ostream& operator<<(std::ostream& os, const Kind& k) { return os << k.name; }

const std::string kValidSocket = http_request("GET", "/v1/status");
const std::string kValidMetadata =
    http_request("GET", "/computeMetadata/v1/instance/service-accounts/default/email", {},
                 {"Metadata-Flavor: Google"});

std::string valid_for(Target t) { return t == Target::socket_api ? kValidSocket : kValidMetadata; }

/// A request that reaches the metadata endpoint's own checks (flavor and Host pass).
std::string md(std::string_view target, std::initializer_list<std::string_view> headers = {}) {
  std::string r = "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n";
  r += "Metadata-Flavor: Google\r\n";
  for (auto h : headers) r.append(h).append("\r\n");
  return r + "\r\n";
}

std::string query_body(std::string_view body) {
  return http_request("POST", "/v1/query", body, {"Content-Type: application/json"});
}

std::string many_headers() {
  std::string r = "GET /v1/status HTTP/1.1\r\nHost: localhost\r\n";
  for (int i = 0; i < 2000; ++i) r += fmt::format("X-H{}: v\r\n", i);
  return r + "\r\n";
}

std::string huge_header() {
  return http_request("GET", "/v1/status", {}, {"X-Huge: " + std::string(kMiB, 'a')});
}

std::string ten_mib_body() {
  return "POST /v1/query HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(10 * kMiB) + "\r\n\r\n" + std::string(10 * kMiB, '{');
}

std::string ten_mib_chunked() {
  std::string r =
      "POST /v1/query HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  const std::string chunk = "10000\r\n" + std::string(0x10000, '[') + "\r\n";
  for (std::size_t i = 0; i < 10 * kMiB / 0x10000; ++i) r += chunk;
  return r + "0\r\n\r\n";
}

std::string nested(std::size_t depth, bool closed) {
  return std::string(depth, '[') + (closed ? std::string(depth, ']') : std::string());
}

// A TLS 1.2 record holding a ClientHello: 5 bytes of record header and 47 of handshake (random,
// no session id, one cipher suite, no compression, no extensions). Its length is the literal's
// own (it holds NULs): the ASan run caught a hand-counted length one past the end.
constexpr char kTlsClientHelloBytes[] =
    "\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03"
    "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
    "\x00\x00\x02\x13\x01\x01\x00\x00\x00";
const std::string kTlsClientHello(kTlsClientHelloBytes, sizeof kTlsClientHelloBytes - 1);
static_assert(sizeof kTlsClientHelloBytes - 1 == 5 + 0x2f);

/// The HTTP-level kinds, the same bytes for both faces; `s` and `m` are the statuses each face
/// answers with (both close the connection after a malformed request).
void add_both(std::vector<Kind>& out, std::string name, std::string bytes, std::vector<int> s,
              std::vector<int> m, Then then = Then::closed, How how = How::send) {
  out.push_back({"Socket" + name, Target::socket_api, bytes, std::move(s), then, how});
  out.push_back({"Metadata" + name, Target::metadata, std::move(bytes), std::move(m), then, how});
}

std::vector<Kind> kinds() {
  std::vector<Kind> k;
  const auto S = Target::socket_api;
  const auto M = Target::metadata;
  // Truncated and oversized heads.
  add_both(k, "TruncatedHeadThenHalfClose",
           "GET /v1/status HTTP/1.1\r\nHost: localhost\r\nX-A: ", {400}, {400}, Then::closed,
           How::send_half_close);
  k.push_back({"SocketTruncatedHeadThenSilence",
               S,
               "GET /v1/status HTTP/1.1\r\nHost: loc",
               {},
               Then::closed});
  add_both(k, "TwoThousandHeaders", many_headers(), {431}, {400});
  add_both(k, "OneMebibyteHeader", huge_header(), {431}, {400});
  add_both(k, "HundredKibibyteTarget", http_request("GET", "/v1/" + std::string(100 * 1024, 'a')),
           {431}, {400});
  // Bodies far over the limits (1 MiB on the socket, 4 KiB on a metadata endpoint).
  add_both(k, "TenMebibyteBody", ten_mib_body(), {413}, {400});
  add_both(k, "TenMebibyteChunkedBody", ten_mib_chunked(), {413}, {400});
  // Framing: conflicting lengths, broken chunks.
  add_both(k, "ContentLengthAndChunked",
           "POST /v1/query HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
           "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
           {400}, {400});
  add_both(k, "TwoContentLengths",
           "POST /v1/query HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
           "Content-Length: 3\r\n\r\n{}}",
           {400}, {400});
  add_both(k, "NegativeContentLength",
           "POST /v1/query HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n", {400},
           {400});
  add_both(k, "ContentLengthPast64Bits",
           "POST /v1/query HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
           "99999999999999999999999\r\n\r\n",
           {400}, {400});
  add_both(k, "ChunkSizeNotHex",
           "POST /v1/query HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
           "zz\r\n{}\r\n0\r\n\r\n",
           {400}, {400});
  add_both(k, "ChunkSizePast64Bits",
           "POST /v1/query HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
           "FFFFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
           {400}, {400});
  add_both(k, "ChunkWithoutItsCrlf",
           "POST /v1/query HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
           "2\r\n{}XX0\r\n\r\n",
           {400}, {400});
  // Not HTTP/1.1 at all.
  k.push_back({"SocketAbsurdMethod", S, http_request("BREW", "/v1/status"), {405}, Then::open});
  k.push_back({"MetadataAbsurdMethod",
               M,
               http_request("BREW", "/computeMetadata/v1/", {}, {"Metadata-Flavor: Google"}),
               {405},
               Then::open});
  add_both(k, "ControlBytesInMethod", std::string("G\x01T /v1/status HTTP/1.1\r\n\r\n", 27), {400},
           {400});
  add_both(k, "Http09", "GET /v1/status\r\n\r\n", {400}, {400});
  add_both(k, "Http2Preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400}, {400});
  add_both(k, "TlsClientHello", kTlsClientHello, {400}, {400});
  add_both(k, "BareLineFeeds", "GET /v1/status HTTP/1.1\nHost: localhost\n\n", {400}, {400});
  k.push_back({"SocketPipelinedGarbageAfterAValidRequest",
               S,
               kValidSocket + "\x01\x02GARBAGE\r\n\r\n",
               {200, 400},
               Then::closed});
  k.push_back({"MetadataPipelinedGarbageAfterAValidRequest",
               M,
               kValidMetadata + "\x01\x02GARBAGE\r\n\r\n",
               {200, 400},
               Then::closed});
  // Invalid UTF-8 where HTTP allows bytes.
  add_both(k, "InvalidUtf8HeaderName", http_request("GET", "/v1/status", {}, {"X-\xff\xfe: 1"}),
           {400}, {400});
  k.push_back(
      {"SocketInvalidUtf8RawPath", S, http_request("GET", "/v1/\xff\xfe"), {400}, Then::open});
  k.push_back({"SocketInvalidUtf8EncodedPath",
               S,
               http_request("DELETE", "/v1/accounts/%FF%FE"),
               {404},
               Then::open});
  k.push_back({"SocketInvalidUtf8HeaderValue",
               S,
               http_request("GET", "/v1/status", {}, {"User-Agent: \xff\xfe\xc3\x28"}),
               {200},
               Then::open});
  k.push_back(
      {"MetadataInvalidUtf8RawPath", M, md("/computeMetadata/v1/\xff\xfe"), {400}, Then::open});
  k.push_back(
      {"MetadataInvalidUtf8EncodedPath", M, md("/computeMetadata/v1/%FF%FE"), {404}, Then::open});
  k.push_back({"MetadataInvalidUtf8FlavorValue",
               M,
               http_request("GET", "/computeMetadata/v1/", {}, {"Metadata-Flavor: Google\xff"}),
               {403},
               Then::open});
  k.push_back({"MetadataInvalidUtf8HostValue",
               M,
               "GET /computeMetadata/v1/ HTTP/1.1\r\nHost: \xff\xfe\r\nMetadata-Flavor: "
               "Google\r\n\r\n",
               {403},
               Then::open});
  k.push_back({"MetadataInvalidUtf8Scopes",
               M,
               md("/computeMetadata/v1/instance/service-accounts/default/token?scopes=%FF%FE"),
               {400},
               Then::open});
  // JSON bodies: invalid UTF-8, deep nesting, numbers past any type.
  k.push_back({"SocketInvalidUtf8JsonBody", S, query_body("\xff\xfe{}"), {400}, Then::open});
  k.push_back({"SocketInvalidUtf8JsonString",
               S,
               query_body("{\"query\":\"SELECT '\xff\xfe'\",\"project\":\"p\"}"),
               {400},
               Then::open});
  k.push_back({"SocketLoneSurrogateJsonEscape",
               S,
               query_body(R"({"query":"SELECT '\ud800'","project":"p"})"),
               {400},
               Then::open});
  k.push_back(
      {"SocketJsonNested100kUnclosed", S, query_body(nested(100000, false)), {400}, Then::open});
  k.push_back(
      {"SocketJsonNested100kClosed", S, query_body(nested(100000, true)), {400}, Then::open});
  k.push_back({"SocketJsonNested100kInAField",
               S,
               query_body("{\"project\":\"p\",\"query\":" + nested(100000, true) + "}"),
               {400},
               Then::open});
  k.push_back({"SocketJsonHugeExponent",
               S,
               query_body(R"({"query":"SELECT 1","project":"p","max_rows":1e999999})"),
               {400},
               Then::open});
  k.push_back({"SocketJsonHugeInteger",
               S,
               query_body(R"({"query":"SELECT 1","project":"p","max_rows":)"
                          R"(123456789012345678901234567890123456789012345678901234567890})"),
               {400},
               Then::open});
  k.push_back(
      {"SocketRawNulInSql",
       S,
       query_body(std::string("{\"query\":\"SELECT 1\0; DROP TABLE t\",\"project\":\"p\"}", 47)),
       {400},
       Then::open});
  k.push_back({"SocketEscapedNulInSql",
               S,
               query_body(R"({"query":"SELECT 1\u0000; DROP TABLE t","project":"p"})"),
               {400},
               Then::open});
  // Traversal in ids: literal, percent-encoded, with NUL. Ids are opaque: one nobody has is
  // not found (a job id reaches BigQuery percent-encoded, and BigQuery's 404 comes back).
  k.push_back({"SocketAccountIdDotDot",
               S,
               http_request("DELETE", "/v1/accounts/../status"),
               {404},
               Then::open});
  k.push_back({"SocketAccountIdEncodedDotDot",
               S,
               http_request("DELETE", "/v1/accounts/%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
               {404},
               Then::open});
  k.push_back({"SocketAccountIdNul",
               S,
               http_request("DELETE", "/v1/accounts/alice%40example.com%00x"),
               {404},
               Then::open});
  k.push_back({"SocketTokenAccountEncodedDotDot",
               S,
               http_request("GET", "/v1/token?account=..%2f..%2fetc%2fpasswd"),
               {404},
               Then::open});
  k.push_back({"SocketJobIdEncodedDotDot",
               S,
               http_request("DELETE", "/v1/jobs/proj-1/%2e%2e%2f%2e%2e%2fx?location=US"),
               {404},
               Then::open});
  k.push_back({"SocketJobIdNul",
               S,
               http_request("DELETE", "/v1/jobs/proj-1/job%00x?location=US"),
               {404},
               Then::open});
  k.push_back({"SocketLoginIdEncodedDotDot",
               S,
               http_request("GET", "/v1/login/..%2f..%2fstatus"),
               {404},
               Then::open});
  k.push_back({"MetadataAccountDotDot",
               M,
               md("/computeMetadata/v1/instance/service-accounts/../../project/project-id"),
               {404},
               Then::open});
  k.push_back({"MetadataAccountEncodedDotDot",
               M,
               md("/computeMetadata/v1/instance/service-accounts/%2e%2e/%2e%2e/token"),
               {404},
               Then::open});
  k.push_back({"MetadataAccountNul",
               M,
               md("/computeMetadata/v1/instance/service-accounts/alice%40example.com%00/token"),
               {404},
               Then::open});
  // Slow and many.
  add_both(k, "Slowloris",
           "GET /v1/status HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + std::string(400, 's'), {}, {},
           Then::closed, How::trickle);
  add_both(k, "TenThousandConnectionsDropped", "", {}, {}, Then::dropped, How::flood);
  return k;
}

std::string config_for(const FakeGoogle& fake) {
  return fmt::format(
      "store = \"memory\"\nlog_level = \"info\"\n\n[oauth]\nrevoke_uri = \"{0}/revoke\"\n\n"
      "[bigquery]\nendpoint = \"{0}\"\n\n[server]\nmax_connections = {1}\n"
      "request_timeout_seconds = {2}\n",
      fake.base_url(), kSocketCap, kSocketRequestTimeout.count());
}

/// One daemon for the suite (ctest runs each case in its own process, so each case still gets a
/// fresh one there): alice logged in, and a metadata session opened by this process.
struct Shared {
  Sandbox sandbox;
  FakeGoogle fake{sandbox};
  DaemonProcess daemon{sandbox, DaemonOptions().with_config(config_for(fake))};
  std::uint16_t metadata_port = 0;
  std::string failure;  // why setting up failed, "" when it did not
};

class HostileInput : public ::testing::TestWithParam<Kind> {
 protected:
  static void SetUpTestSuite() {
    shared_ = new Shared;
    if (auto ready = shared_->daemon.wait_ready(); !ready) {
      shared_->failure = ready.message();
      return;
    }
    auto login = login_through_browser(shared_->daemon, shared_->fake, std::string(kAlice));
    if (!login) {
      shared_->failure = "login: " + login.error();
      return;
    }
    auto session = daemon_api(shared_->daemon, "POST", "/v1/metadata-sessions", json::object());
    const std::string host = session ? session->json().value("host", "") : "";
    if (host.empty()) {
      shared_->failure = "metadata session: " + (session ? session->body : session.error());
      return;
    }
    shared_->metadata_port = static_cast<std::uint16_t>(std::stoi(host.substr(host.find(':') + 1)));
  }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(shared_->failure, ""); }

  static DaemonProcess& daemon() { return shared_->daemon; }

  static Expected<RawHttp> connect(Target t) {
    return t == Target::socket_api ? RawHttp::connect(daemon().socket_path())
                                   : RawHttp::connect_tcp(shared_->metadata_port);
  }

  /// Succeeds when `cap` connections, all open at once, each get 200 for a valid request. Slots
  /// of connections the daemon has just closed come back asynchronously (a lingering close
  /// drains for up to 1 s), so the round is retried until a deadline.
  static ::testing::AssertionResult every_slot_serves(Target t) {
    const std::size_t cap = t == Target::socket_api ? kSocketCap : kMetadataCap;
    const auto deadline = Clock::now() + 15s;
    std::string last;
    while (Clock::now() < deadline) {
      std::vector<RawHttp> conns;
      last.clear();
      for (std::size_t i = 0; i < cap && last.empty(); ++i) {
        auto c = connect(t);
        if (!c) {
          last = "connect: " + c.error();
        } else if (auto sent = c->send(valid_for(t)); !sent) {
          last = sent.error();
        } else {
          conns.push_back(std::move(*c));
        }
      }
      std::size_t served = 0, busy = 0;
      for (auto& c : conns) {
        auto r = c.read_response(10s);
        if (r && r->status == 200) {
          ++served;
        } else if (r && r->status == 503 && t == Target::metadata) {
          ++busy;  // over the user's share; counted below
        } else if (last.empty()) {
          last = r ? fmt::format("HTTP {}: {}", r->status, r->body) : r.error();
        }
      }
      // Every slot answers: all of them served on the socket; on the metadata endpoint the
      // user's share served and the rest answered 503 (so those slots came back too).
      const std::size_t want = t == Target::socket_api ? cap : kMetadataPerUid;
      if (served == want && served + busy == cap) return ::testing::AssertionSuccess();
      last = fmt::format("{} of {} served, {} answered 503 (want {} served); first failure: {}",
                         served, cap, busy, want, last);
      ::poll(nullptr, 0, 50);
    }
    return ::testing::AssertionFailure() << "not every slot came back within 15 s: " << last;
  }

  static inline Shared* shared_ = nullptr;
};

/// Sends one byte every 250 ms until the daemon closes. @returns how long it took.
Expected<Clock::duration> trickle_until_closed(RawHttp& conn, const std::string& bytes,
                                               std::chrono::seconds timeout) {
  const auto start = Clock::now();
  for (char c : bytes) {
    if (!conn.send(std::string_view(&c, 1))) return Clock::now() - start;  // closed under us
    pollfd p{conn.fd(), POLLIN, 0};
    if (::poll(&p, 1, 250) > 0) break;  // EOF (or an unexpected answer, which the caller sees)
    if (Clock::now() - start > timeout + 10s) break;
  }
  if (auto closed = conn.wait_closed(timeout + 10s); !closed) {
    return tl::unexpected(std::string(closed.message()));
  }
  return Clock::now() - start;
}

TEST_P(HostileInput, IsAnsweredAsTabledAndEverySlotComesBack) {
  const Kind& k = GetParam();
  const auto timeout = k.target == Target::socket_api
                           ? std::chrono::seconds(kSocketRequestTimeout)
                           : std::chrono::seconds(kMetadataRequestTimeout);
  if (k.how == How::flood) {
    for (int batch = 0; batch < 100; ++batch) {
      std::vector<RawHttp> conns;
      for (int i = 0; i < 100; ++i) {
        auto c = connect(k.target);
        ASSERT_TRUE(c) << "connection " << batch * 100 + i << ": " << c.error();
        conns.push_back(std::move(*c));
      }
    }  // each batch dropped unread as it goes out of scope
  } else {
    auto conn = connect(k.target);
    ASSERT_TRUE(conn) << conn.error();
    if (k.how == How::trickle) {
      auto took = trickle_until_closed(*conn, k.bytes, timeout);
      ASSERT_TRUE(took) << took.error();
      EXPECT_GE(*took, timeout - 100ms) << "closed before the request timeout";
    } else {
      conn->send_until_answered(k.bytes);
      if (k.how == How::send_half_close) conn->shutdown_send();
    }
    for (std::size_t i = 0; i < k.statuses.size(); ++i) {
      auto r = conn->read_response(10s);
      ASSERT_TRUE(r) << "response " << i << ": " << r.error();
      EXPECT_EQ(r->status, k.statuses[i]) << "response " << i << ":\n" << *r;
      if (k.target == Target::socket_api && r->status >= 400) {
        EXPECT_FALSE(r->json().value("error", json::object()).value("code", "").empty()) << *r;
      }
      EXPECT_LT(r->status, 500) << *r;
    }
    if (k.then == Then::closed) {
      EXPECT_TRUE(conn->wait_closed(timeout + 10s));
    } else {
      auto again = conn->roundtrip(valid_for(k.target));
      ASSERT_TRUE(again) << "the connection was not kept: " << again.error();
      EXPECT_EQ(again->status, 200) << *again;
    }
  }
  ASSERT_TRUE(daemon().serves_status()) << daemon().log();
  EXPECT_TRUE(every_slot_serves(Target::socket_api));
  EXPECT_TRUE(every_slot_serves(Target::metadata));
  auto next = http_once(daemon().socket_path(), valid_for(Target::socket_api));
  ASSERT_TRUE(next) << next.error();
  EXPECT_EQ(next->status, 200) << *next;
  auto conn = RawHttp::connect_tcp(shared_->metadata_port);
  ASSERT_TRUE(conn) << conn.error();
  auto email = conn->roundtrip(kValidMetadata);
  ASSERT_TRUE(email) << email.error();
  EXPECT_EQ(email->status, 200) << *email;
  EXPECT_EQ(email->body, kAlice);
}

INSTANTIATE_TEST_SUITE_P(Kinds, HostileInput, ::testing::ValuesIn(kinds()),
                         [](const ::testing::TestParamInfo<Kind>& p) { return p.param.name; });

}  // namespace
}  // namespace bqb::itest
