#pragma once
// The socket API's routing table: (method, path pattern) → handler, with 404 for an unknown path
// and 405 (plus Allow) for a known path with another method.

#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "daemon/server/http_types.h"
#include "daemon/server/route.h"
#include "proto/routes.h"

namespace bqb::http {

class Router {
 public:
  /// Adds `route` (one of proto/routes.h's constants; tests may pass their own).
  void add(const routes::Route& route, Handler handler);
  /// Adds a route whose handler may stream its response.
  void add_stream(const routes::Route& route, StreamHandler handler);

  /// Answers `request` on `out`: the route's handler, or the error response when no route takes
  /// the request. A handler that throws is answered with 500 internal when it had not answered
  /// yet (and logged): one request's bug must not take the daemon down.
  /// A coroutine keeps its reference parameters: `request` and `out` must outlive the awaitable.
  /// `peer` is taken by value, so that a temporary is safe (the ASan run caught a test passing
  /// one that was gone by the time the handler ran).
  boost::asio::awaitable<void> dispatch(const Request& request, PeerCred peer,
                                        ResponseStream& out) const;

  /// The same for callers that want the whole response (tests): a streamed answer is collected
  /// into one body.
  boost::asio::awaitable<Response> dispatch(const Request& request, PeerCred peer) const;

 private:
  struct Route {
    beast_http::verb method;
    RoutePattern pattern;
    Handler handler;               // set for add()
    StreamHandler stream_handler;  // set for add_stream()
  };
  std::vector<Route> routes_;
};

}  // namespace bqb::http
