#include "daemon/net/outbound_proxy.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "daemon/base/ascii.h"
#include "daemon/base/base64.h"

namespace bqb {
namespace {

// Splits a NO_PROXY value at commas and whitespace, dropping empty entries.
std::vector<std::string_view> split_entries(std::string_view list) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < list.size()) {
    std::size_t j = list.find_first_of(", \t", i);
    if (j == std::string_view::npos) j = list.size();
    if (j > i) out.push_back(list.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// "10.0.0.0/8" contains `host` (an IPv4 literal)? False for anything that is not both.
bool ipv4_cidr_contains(std::string_view cidr, std::string_view host) {
  std::size_t slash = cidr.find('/');
  if (slash == std::string_view::npos) return false;
  auto net = boost::urls::parse_ipv4_address(cidr.substr(0, slash));
  auto addr = boost::urls::parse_ipv4_address(host);
  if (!net || !addr) return false;
  std::string_view bits_text = cidr.substr(slash + 1);
  if (bits_text.empty() || bits_text.size() > 2 ||
      !std::all_of(bits_text.begin(), bits_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  int bits = std::stoi(std::string(bits_text));
  if (bits > 32) return false;
  std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
  return (net->to_uint() & mask) == (addr->to_uint() & mask);
}

bool entry_matches(std::string_view entry_in, std::string_view host, std::uint16_t port) {
  std::string entry = ascii_lower(entry_in);
  if (entry == "*") return true;
  if (ipv4_cidr_contains(entry, host)) return true;

  // An optional ":port" suffix ("[::1]:8080", "example.com:443"); a bare IPv6 keeps its colons.
  std::string_view name = entry;
  if (!name.empty() && name.front() == '[') {
    std::size_t close = name.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = name.substr(close + 1);
    name = name.substr(1, close - 1);
    if (!rest.empty()) {
      if (rest.front() != ':' || rest.substr(1) != std::to_string(port)) return false;
    }
  } else if (std::count(name.begin(), name.end(), ':') == 1) {
    std::size_t colon = name.find(':');
    if (name.substr(colon + 1) != std::to_string(port)) return false;
    name = name.substr(0, colon);
  }

  if (!name.empty() && name.front() == '.') name.remove_prefix(1);
  if (name.empty()) return false;
  if (host == name) return true;
  // Subdomain: "example.com" excludes "a.example.com", never "badexample.com".
  return host.size() > name.size() && host.ends_with(name) &&
         host[host.size() - name.size() - 1] == '.';
}

}  // namespace

ProxySettings ProxySettings::from_environment(
    const std::function<const char*(const char*)>& getenv) {
  auto get = [&](const char* lower_name, const char* upper_name) {
    const char* v = getenv ? getenv(lower_name) : std::getenv(lower_name);
    if (v == nullptr || *v == '\0') v = getenv ? getenv(upper_name) : std::getenv(upper_name);
    return std::string(v != nullptr ? v : "");
  };
  return ProxySettings{get("https_proxy", "HTTPS_PROXY"), get("http_proxy", "HTTP_PROXY"),
                       get("no_proxy", "NO_PROXY")};
}

std::string ProxyEndpoint::loggable() const {
  return fmt::format("http://{}:{}", bracketed_host(host), port);
}

Result<ProxyEndpoint> parse_proxy_url(std::string_view value, std::string_view variable) {
  std::string text(value);
  if (text.find("://") == std::string::npos) text = "http://" + text;
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) {
    return fail(Errc::config_invalid,
                fmt::format("{} is not a valid proxy URL: {}", variable, parsed.error().message()),
                fmt::format("set {} to http://HOST:PORT", variable));
  }
  const boost::urls::url_view& u = *parsed;
  if (ascii_lower(u.scheme()) != "http") {
    return fail(Errc::config_invalid,
                fmt::format("{} uses the proxy scheme '{}', but only http:// proxies (which "
                            "tunnel https with CONNECT) are supported",
                            variable, u.scheme()),
                fmt::format("set {} to http://HOST:PORT", variable));
  }
  ProxyEndpoint p;
  p.host = u.host_type() == boost::urls::host_type::name ? ascii_lower(u.host_name())
                                                         : ascii_lower(u.host_address());
  if (p.host.empty()) {
    return fail(Errc::config_invalid, fmt::format("{} has no proxy host", variable),
                fmt::format("set {} to http://HOST:PORT", variable));
  }
  if (u.has_port()) {
    auto port = parse_port_number(u.port());
    if (!port) return fail(Errc::config_invalid, fmt::format("{} has an invalid port", variable));
    p.port = *port;
  }
  if (u.has_userinfo()) {
    p.authorization = Secret("Basic " + base64_encode(u.user() + ":" + u.password()));
  }
  return p;
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port) {
  std::string h = ascii_lower(host);
  for (std::string_view entry : split_entries(no_proxy)) {
    if (entry_matches(entry, h, port)) return true;
  }
  return false;
}

Result<std::optional<ProxyEndpoint>> select_proxy(const OutboundTarget& target,
                                                  const ProxySettings& settings) {
  if (target.loopback) return std::nullopt;
  const std::string& value = target.tls ? settings.https_proxy : settings.http_proxy;
  if (value.empty()) return std::nullopt;
  if (no_proxy_matches(settings.no_proxy, target.host, target.port)) return std::nullopt;
  BQB_TRY(proxy, parse_proxy_url(value, target.tls ? "HTTPS_PROXY" : "HTTP_PROXY"));
  return std::optional<ProxyEndpoint>(std::move(proxy));
}

}  // namespace bqb
