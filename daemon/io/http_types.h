#pragma once
// The socket API's HTTP vocabulary shared by the server, the router and the handlers.

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/url.hpp>
#include <nlohmann/json_fwd.hpp>

#include "daemon/io/peer_cred.h"
#include "proto/error.h"

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

/// @returns a response with `body` serialised as JSON (Content-Type: application/json).
Response json_response(int status, const nlohmann::json& body);
/// @returns the error envelope for `e` with the status from the error table.
Response error_response(const Error& e);
/// @returns the request body parsed as a JSON object, or invalid_json naming the problem.
Result<nlohmann::json> json_body(const RequestContext& ctx);
/// The same, for requests whose fields are all optional: an empty body is the empty object.
Result<nlohmann::json> optional_json_body(const RequestContext& ctx);

}  // namespace bqb::http
