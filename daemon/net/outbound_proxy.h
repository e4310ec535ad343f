#pragma once
// Which proxy, if any, an outbound request goes through: the HTTPS_PROXY / HTTP_PROXY / NO_PROXY
// conventions that curl, Go and Python share, as corporate networks need them. Pure: the
// environment is read through an injectable lookup.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/net/outbound_url.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb {

/// The raw proxy settings, as the environment spells them.
struct ProxySettings {
  std::string https_proxy;  // used for https URLs
  std::string http_proxy;   // used for http URLs (these are loopback-only, so in practice never)
  std::string no_proxy;     // comma/space separated exclusions

  /// Reads https_proxy/HTTPS_PROXY, http_proxy/HTTP_PROXY, no_proxy/NO_PROXY (lower case first,
  /// as curl does). `getenv` defaults to the process environment.
  static ProxySettings from_environment(
      const std::function<const char*(const char*)>& getenv = nullptr);
};

/// An HTTP proxy that tunnels with CONNECT.
struct ProxyEndpoint {
  std::string host;  // IPv6 without brackets
  std::uint16_t port = 80;
  std::optional<Secret> authorization;  // "Basic base64(user:password)" when the URL had user info

  /// @returns "http://host:port", never the credentials: for logs and error messages.
  std::string loggable() const;
};

/// Parses a proxy URL: "http://[user:pass@]host[:port][/]" or "host:port" (no scheme means http).
/// The port defaults to 80. `variable` names the setting in error messages; the value itself is
/// never quoted (it may hold a password).
/// @returns config_invalid for an unparseable value, a scheme other than http, or no host.
Result<ProxyEndpoint> parse_proxy_url(std::string_view value, std::string_view variable);

/// @returns true when `host` (lower case, no brackets) at `port` is excluded by `no_proxy`:
/// "*" excludes everything; "example.com" and ".example.com" exclude the domain and its
/// subdomains; "host:port" restricts an entry to one port; an IPv4 CIDR such as "10.0.0.0/8"
/// excludes the addresses in it; IP literals match exactly. Case-insensitive.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port);

/// @returns the proxy `target` goes through, or nullopt for a direct connection (loopback hosts
/// are never proxied, nor hosts that NO_PROXY excludes, nor any when no proxy is set).
/// config_invalid when the applicable proxy variable is malformed.
Result<std::optional<ProxyEndpoint>> select_proxy(const OutboundTarget& target,
                                                  const ProxySettings& settings);

}  // namespace bqb
