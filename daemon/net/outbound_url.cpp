#include "daemon/net/outbound_url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "daemon/base/ascii.h"

namespace bqb {
namespace {

// The part of `url` before any query or fragment: safe to quote in an error message.
std::string_view without_query(std::string_view url) {
  return url.substr(0, std::min(url.find('?'), url.find('#')));
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  std::string h = ascii_lower(host);
  if (h == "localhost") return true;
  if (auto v4 = boost::urls::parse_ipv4_address(h)) return v4->to_bytes()[0] == 127;
  if (auto v6 = boost::urls::parse_ipv6_address(h)) {
    if (v6->is_loopback()) return true;
    // ::ffff:127.x.y.z is the same loopback address seen through an IPv6 socket.
    return v6->is_v4_mapped() && v6->to_bytes()[12] == 127;
  }
  return false;
}

std::optional<std::uint16_t> parse_port_number(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

std::string bracketed_host(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return fmt::format("[{}]", host);
  return std::string(host);
}

std::string OutboundTarget::authority() const {
  return fmt::format("{}:{}", bracketed_host(host), port);
}

std::string OutboundTarget::host_header() const {
  std::string h = bracketed_host(host);
  if (port != (tls ? 443 : 80)) h += fmt::format(":{}", port);
  return h;
}

std::string OutboundTarget::origin() const {
  return fmt::format("{}://{}", tls ? "https" : "http", authority());
}

std::string OutboundTarget::loggable() const {
  std::string_view path = std::string_view(target).substr(0, target.find('?'));
  return fmt::format("{}://{}{}", tls ? "https" : "http", host_header(), path);
}

Result<OutboundTarget> parse_outbound_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    return fail(Errc::bad_request, fmt::format("'{}' is not an absolute URL: {}",
                                               without_query(url), parsed.error().message()));
  }
  const boost::urls::url_view& u = *parsed;
  std::string scheme = ascii_lower(u.scheme());
  if (scheme != "https" && scheme != "http") {
    return fail(Errc::bad_request, fmt::format("'{}' is not an http(s) URL", without_query(url)));
  }
  if (u.has_userinfo()) {
    return fail(Errc::bad_request,
                fmt::format("the URL for host '{}' carries user info, which is never sent",
                            u.host_address()));
  }

  OutboundTarget t;
  t.tls = scheme == "https";
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      t.host = u.host_address();
      t.host_is_ip = true;
      break;
    case boost::urls::host_type::ipv6:
      t.host = ascii_lower(u.host_address());  // host_address() has no brackets
      t.host_is_ip = true;
      break;
    case boost::urls::host_type::name:
      t.host = ascii_lower(u.host_name());  // percent-decoded
      break;
    default:  // none, or IPvFuture
      break;
  }
  if (t.host.empty()) {
    return fail(Errc::bad_request, fmt::format("'{}' has no usable host", without_query(url)));
  }
  t.loopback = is_loopback_host(t.host);

  if (u.has_port()) {
    auto port = parse_port_number(u.port());
    if (!port) {
      return fail(Errc::bad_request,
                  fmt::format("'{}' has an invalid port '{}'", without_query(url), u.port()));
    }
    t.port = *port;
  } else {
    t.port = t.tls ? 443 : 80;
  }

  t.target = u.encoded_path().empty() ? std::string("/") : std::string(u.encoded_path());
  if (u.has_query()) t.target += "?" + std::string(u.encoded_query());

  if (!t.tls && !t.loopback) {
    return fail(Errc::tls_error,
                fmt::format("refusing plain http to '{}': only https is allowed, except to "
                            "loopback addresses (127.0.0.0/8, ::1, localhost)",
                            t.loggable()),
                "use an https:// URL");
  }
  return t;
}

}  // namespace bqb
