#pragma once
// The socket server's ResponseStream (http_types.h) for one request on one connection: a whole
// response, or a chunked one written chunk by chunk as the handler produces it, and the watch
// that notices a client that went away while the handler waits on something else.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>

#include "daemon/server/http_types.h"

namespace bqb::http {

using UnixStream = boost::beast::basic_stream<boost::asio::local::stream_protocol>;

class ConnectionStream final : public ResponseStream {
 public:
  /// `stream` and `server_stopping` must outlive this object. `keep_alive` is what the request
  /// asked for; the answer keeps the connection only when the server is not stopping.
  ConnectionStream(UnixStream& stream, const bool& server_stopping,
                   std::chrono::seconds write_timeout, bool keep_alive);
  ~ConnectionStream() override;

  boost::asio::awaitable<bool> respond(Response response) override;
  boost::asio::awaitable<bool> begin(int status, std::string_view content_type) override;
  boost::asio::awaitable<bool> write(std::string data) override;
  bool cancelled() const override;
  void watch_client() override;

  /// Completes the answer after the handler returned: 500 when it never answered, the last
  /// chunk of a streamed body; stops the client watch. Must be awaited before the connection
  /// reads its next request. @returns whether the connection may serve another request.
  boost::asio::awaitable<bool> finish();

  /// @returns the status sent (0 before any), for the access log.
  int status() const { return status_; }

 private:
  struct Watch;
  enum class State { idle, responded, streaming, failed };

  /// Sets the deadline of the next write: none while the client is connected and the server
  /// runs (a reader may pause), the write timeout otherwise.
  void arm_write_deadline();
  /// Waits until the socket is readable, then records whether the client went away.
  static boost::asio::awaitable<void> watch_socket(UnixStream::socket_type& socket,
                                                   std::shared_ptr<Watch> watch);

  UnixStream& stream_;
  const bool& server_stopping_;
  std::chrono::seconds write_timeout_;
  bool keep_alive_;
  State state_ = State::idle;
  int status_ = 0;
  std::shared_ptr<Watch> watch_;
};

}  // namespace bqb::http
