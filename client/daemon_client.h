#pragma once
// A small synchronous HTTP/1.1 client for the daemon's Unix socket, usable by any C++ program.
//
// Calls block the caller's thread and return values; no threads are started. Inside, each step
// (connect, write, read) is an asynchronous Beast operation on a private io_context run in the
// caller's thread, because Asio's blocking calls cannot time out. One connection is kept alive
// and reused for successive requests.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::client {

struct ClientOptions {
  /// How long connect() may wait for the daemon to accept (socket activation included).
  std::chrono::milliseconds connect_timeout{5000};
  /// How long writing a request or reading its response may take, each.
  std::chrono::milliseconds io_timeout{30000};
};

/// A successful (2xx) answer. `body` is null when the daemon sent no body.
struct Response {
  int status = 0;
  nlohmann::json body;
};

class DaemonClient {
 public:
  /// @returns a client connected to the daemon at `socket`, or daemon_unreachable (with a hint
  /// saying how to start the daemon) when nothing listens there or it does not accept in time.
  static Result<DaemonClient> connect(const std::filesystem::path& socket,
                                      ClientOptions options = {});

  DaemonClient(DaemonClient&&) noexcept;
  DaemonClient& operator=(DaemonClient&&) noexcept;
  ~DaemonClient();

  /// Sends `method target` with `body` (as application/json when given) and reads the answer.
  /// @returns the 2xx response; a non-2xx answer carrying the API's error envelope becomes that
  /// Error; a non-2xx answer without one is `internal`; a 2xx body that is not JSON is
  /// invalid_json; a lost connection is io_error; no answer within the timeout is
  /// daemon_unreachable. A kept-alive connection that the daemon closed while idle is replaced
  /// transparently, once.
  Result<Response> request(std::string_view method, std::string_view target,
                           const std::optional<nlohmann::json>& body = std::nullopt);

  /// @returns the socket path this client talks to.
  const std::filesystem::path& socket_path() const;

 private:
  struct Impl;
  explicit DaemonClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bqb::client
