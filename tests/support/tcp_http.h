#pragma once
// Plain HTTP/1.1 to a loopback TCP port (the fake Google, the daemon's loopback login listener,
// metadata endpoints), one request per connection, bounded by a deadline.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/raw_http.h"

namespace bqb::itest {

struct TcpAnswer {
  int status = 0;
  std::string location;  // the Location header, "" when absent
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case; a repeated one: the last
  nlohmann::json as_json() const { return nlohmann::json::parse(body, nullptr, false); }
};

struct TcpRequest {
  /// The IP literal connected to. An IPv6 one ("::ffff:127.0.0.1") connects from an AF_INET6
  /// socket (IPV6_V6ONLY off), as the JVM's and .NET's sockets are; the Host header stays
  /// 127.0.0.1:PORT unless `headers` sets it.
  std::string address = "127.0.0.1";
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::string content_type = "application/json";  // sent only with a body
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
};

/// Sends `request` to `request.address`:`port`. @returns the answer, or why none came (an
/// IPv6 socket that cannot be opened or connected says so).
Expected<TcpAnswer> tcp_request(std::uint16_t port, const TcpRequest& request);
/// The same, for the common case.
Expected<TcpAnswer> tcp_request(std::uint16_t port, std::string method, std::string target,
                                std::string body = {},
                                std::string content_type = "application/json");
/// GET of an absolute http://127.0.0.1:PORT/… URL.
Expected<TcpAnswer> get_url(const std::string& url);

/// @returns a TCP port on 127.0.0.1 that was free a moment ago (bind 0, read it, close), for a
/// listener a test configures by number.
std::uint16_t free_port();

}  // namespace bqb::itest
