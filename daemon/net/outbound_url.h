#pragma once
// Which URLs the daemon may call, and the parts of one that a connection needs. Pure: no I/O.
//
// Policy: https to any host; plain http only to a loopback host (127.0.0.0/8, ::1, "localhost"),
// which is what tests and local emulators use. Any other http URL is refused, because a token
// or a refresh request sent in clear text over a network is a leaked credential.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/error.h"

namespace bqb {

/// A parsed, policy-checked destination of an outbound HTTP(S) request.
struct OutboundTarget {
  bool tls = true;          // https (true) or loopback-only http (false)
  std::string host;         // lower-case name or IP literal; IPv6 without brackets
  bool host_is_ip = false;  // an IPv4/IPv6 literal (no SNI, IP matched against the certificate)
  bool loopback = false;    // host is a loopback address or "localhost"
  std::uint16_t port = 443;
  std::string target;  // origin-form request target: encoded path ("/" when empty) and query

  /// @returns "host:port", IPv6 in brackets: the CONNECT authority and part of the pool key.
  std::string authority() const;
  /// @returns the Host header value: host, plus ":port" when it is not the scheme's default.
  std::string host_header() const;
  /// @returns "https://host:port": the key under which connections are kept for reuse.
  std::string origin() const;
  /// @returns the URL without query or fragment, for logs and error messages (a query may carry
  /// secrets).
  std::string loggable() const;
};

/// @returns true when `host` is "localhost", an IPv4 address in 127.0.0.0/8, ::1, or an
/// IPv4-mapped IPv6 form of 127.0.0.0/8. `host` carries no brackets. Case-insensitive.
bool is_loopback_host(std::string_view host);

/// @returns `host` as it is written in a URL or authority: an IPv6 literal in brackets.
std::string bracketed_host(std::string_view host);

/// @returns the port `text` spells (decimal, 1..65535), or nullopt.
std::optional<std::uint16_t> parse_port_number(std::string_view text);

/// Parses `url` with Boost.URL and applies the policy above.
/// @returns bad_request when `url` is not an absolute http(s) URL with a host, or carries user
/// info; tls_error when it is plain http to a non-loopback host.
Result<OutboundTarget> parse_outbound_url(std::string_view url);

}  // namespace bqb
