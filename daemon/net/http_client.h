#pragma once
// The daemon's outbound HTTP(S) client: what talks to Google's token, revoke and BigQuery
// endpoints (and to the local fakes in tests). An interface, so that higher layers can be tested
// with a fake; make_http_client() builds the real one on Asio/Beast.
//
// The real client enforces the outbound policy of daemon/net/outbound_url.h (https everywhere,
// plain http only to loopback), verifies certificates and host names, keeps connections alive per
// origin, and honours HTTPS_PROXY / NO_PROXY. It never logs request bodies or header values (they
// carry tokens and client secrets); at debug level it logs the method and the URL without query.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "daemon/net/outbound_proxy.h"
#include "proto/error.h"

namespace bqb {

/// Header fields in order; names compare case-insensitively.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // any standard method name: GET, POST, PUT, PATCH, DELETE, HEAD
  std::string url;             // absolute http(s) URL
  HttpHeaders headers;         // may carry Authorization: never logged. Host is added when absent.
  std::string body;            // may carry secrets (token requests): never logged
  /// Bound on the whole exchange: name resolution, connect, proxy tunnel, TLS, write and read.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  /// @returns the value of the first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  /// Sends `request` and reads the whole response; every HTTP status is a response, not an error.
  /// May run concurrently from several coroutines on the client's (single-threaded) io_context.
  /// @returns bad_request for a malformed URL or method; tls_error for plain http to a
  /// non-loopback host or a failed certificate/host-name check; upstream_unavailable, naming the
  /// host, when it cannot be resolved, reached or tunnelled to, or does not answer in time;
  /// upstream_error for a malformed response or one larger than the body limit.
  virtual boost::asio::awaitable<Result<HttpResponse>> send(HttpRequest request) = 0;
};

struct HttpClientOptions {
  /// `[tls] ca_file`: PEM certificates trusted in addition to the system's roots.
  std::optional<std::string> ca_file;
  /// Usually ProxySettings::from_environment().
  ProxySettings proxy;
  /// A response body above this size fails the request.
  std::size_t max_response_bytes = std::size_t{64} << 20;
  /// Idle kept-alive connections are closed after this long.
  std::chrono::seconds idle_timeout{60};
  /// At most this many idle connections are kept per (scheme, host, port).
  std::size_t max_idle_per_origin = 4;
};

/// Builds the Asio/Beast client. It and every send() must run on `executor`'s io_context, driven
/// by one thread (the daemon's model); send() coroutines keep the client's state alive while they
/// run, so the returned object may be destroyed with requests in flight.
/// @returns config_invalid naming the file when `ca_file` cannot be loaded, or naming the
/// variable when the proxy setting is malformed.
Result<std::unique_ptr<HttpClient>> make_http_client(boost::asio::any_io_executor executor,
                                                     HttpClientOptions options);

}  // namespace bqb
