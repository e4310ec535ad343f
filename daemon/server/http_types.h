#pragma once
// The socket API's HTTP vocabulary shared by the server, the router and the handlers.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/url.hpp>
#include <nlohmann/json_fwd.hpp>

#include "proto/error.h"
#include "proto/peer_cred.h"

namespace bqb::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

/// What a handler sees of one request.
struct RequestContext {
  const Request& request;
  PeerCred peer;
  boost::urls::url target;          // parsed origin-form target (path + query)
  std::vector<std::string> params;  // the route's {captures}, decoded, in order
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

/// How a StreamHandler answers: either one whole response (respond), or a chunked one (begin,
/// then write as often as needed; the server ends the chunked body when the handler returns).
/// A handler that returns without answering gets 500 internal.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  /// Sends `response` whole; only before begin(). @returns false when the client is gone.
  /// After begin() it sends nothing and cuts the streamed body short instead: the connection
  /// closes without the last chunk, so the client cannot take a failed stream for a whole one.
  virtual boost::asio::awaitable<bool> respond(Response response) = 0;
  /// Sends the status line and headers of a chunked response of `content_type`.
  /// @returns false when the client is gone.
  virtual boost::asio::awaitable<bool> begin(int status, std::string_view content_type) = 0;
  /// Sends `data` (non-empty) as one chunk and returns once the socket has taken it, so a client
  /// that does not read keeps the caller waiting (back-pressure) instead of growing a buffer.
  /// There is no deadline while the client is connected and the daemon runs: a reader may
  /// pause (a pager). Once the daemon stops, each write must complete within the write timeout.
  /// @returns false when the client is gone or the write failed; every later write then returns
  /// false too.
  virtual boost::asio::awaitable<bool> write(std::string data) = 0;
  /// @returns true once the client closed the connection (noticed even while nothing is being
  /// written) or the daemon began to stop: the handler should wind up its work (cancel what it
  /// started upstream) and return soon.
  virtual bool cancelled() const = 0;
  /// Called by the router before a StreamHandler runs: from then on the client's disconnect is
  /// noticed while nothing is being written (cancelled() turns true).
  virtual void watch_client() {}
};

/// A handler that may stream its response (the query API's NDJSON).
using StreamHandler = std::function<boost::asio::awaitable<void>(RequestContext&, ResponseStream&)>;

/// @returns a response with `body` serialised as JSON (Content-Type: application/json).
Response json_response(int status, const nlohmann::json& body);
/// @returns the error envelope for `e` with the status from the error table.
Response error_response(const Error& e);
/// @returns the request body parsed as a JSON object, or invalid_json naming the problem.
Result<nlohmann::json> json_body(const RequestContext& ctx);
/// The same, for requests whose fields are all optional: an empty body is the empty object.
Result<nlohmann::json> optional_json_body(const RequestContext& ctx);

}  // namespace bqb::http
