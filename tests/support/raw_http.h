#pragma once
// A raw HTTP/1.1 client over a Unix socket, for tests that must control every byte they send
// (oversized headers, malformed requests, slow or idle clients) and see exactly what comes back,
// including the connection being closed. Responses are parsed with Beast's parser; every read
// waits with poll() and a deadline.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "tests/support/process.h"

namespace bqb::itest {

template <class T>
using Expected = tl::expected<T, std::string>;

struct HttpResponse {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool keep_alive = false;  // what the response's version and Connection header imply

  /// @returns the first value of header `name` (any case), or "" when absent.
  std::string header(std::string_view name) const;
  /// @returns the body parsed as JSON, or a discarded value when it is not JSON.
  nlohmann::json json() const;
};
std::ostream& operator<<(std::ostream& os, const HttpResponse& r);

class RawHttp {
 public:
  /// Connects to the Unix socket at `path`. @returns the connection, or why it failed (the text
  /// includes strerror, e.g. "Connection refused").
  static Expected<RawHttp> connect(const std::filesystem::path& path);
  /// Connects to 127.0.0.1:`port` over TCP (a metadata endpoint, the login listener).
  static Expected<RawHttp> connect_tcp(std::uint16_t port);

  RawHttp(RawHttp&& other) noexcept;
  RawHttp& operator=(RawHttp&& other) noexcept;
  ~RawHttp();

  /// Sends all of `bytes`. @returns false with the reason when the peer closed or reset.
  Expected<void> send(std::string_view bytes);
  /// Sends `bytes` as a client that does not wait for permission would, but stops as soon as
  /// the peer has answered or closed (an early 413/431 before the rest is read), so that a
  /// response sent mid-upload is not lost to a reset. @returns the number of bytes sent.
  std::size_t send_until_answered(std::string_view bytes);
  /// Half-closes the connection (shutdown SHUT_WR): the peer reads EOF, this side still reads.
  void shutdown_send();
  /// Reads one complete response (bytes after it stay buffered for the next call).
  /// @returns the response, or why none came: "timeout after …", "EOF …", "parse error …".
  Expected<HttpResponse> read_response(std::chrono::milliseconds timeout = 10s);
  /// Sends `request` and reads the response.
  Expected<HttpResponse> roundtrip(std::string_view request,
                                   std::chrono::milliseconds timeout = 10s);
  /// Waits until the peer closes the connection (EOF or reset), discarding anything it sends
  /// first. Fails when the deadline passes with the connection still open.
  ::testing::AssertionResult wait_closed(std::chrono::milliseconds timeout = 10s);

  int fd() const { return fd_; }

 private:
  explicit RawHttp(int fd) : fd_(fd) {}
  enum class ReadResult { data, eof, reset, timeout };
  /// Appends what arrives to buffer_, waiting at most until `deadline`.
  ReadResult read_some(Clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;
};

/// @returns "<method> <target> HTTP/1.1" with Host: localhost, the given extra header lines
///          (each without CRLF), Content-Length when `body` is not empty, and the body.
std::string http_request(std::string_view method, std::string_view target,
                         std::string_view body = {},
                         std::initializer_list<std::string_view> extra_headers = {});

/// One request on a fresh connection: connect, send, read.
Expected<HttpResponse> http_once(const std::filesystem::path& socket, std::string_view request,
                                 std::chrono::milliseconds timeout = 10s);

/// Checks that `r` is the API's error envelope: HTTP `status`, a JSON content type, and a body
/// {"error":{"code":`code`,"message":<non-empty string>,"hint"?:<string>}} with nothing else.
::testing::AssertionResult is_api_error(const HttpResponse& r, int status, std::string_view code);
::testing::AssertionResult is_api_error(const Expected<HttpResponse>& r, int status,
                                        std::string_view code);

/// Leaves a socket file at `path` that nobody listens on, as a crashed daemon would.
void make_stale_socket(const std::filesystem::path& path);

/// @returns true when something accepts connections on the Unix socket at `path`.
bool is_listening(const std::filesystem::path& path);

}  // namespace bqb::itest
