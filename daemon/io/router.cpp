#include "daemon/io/router.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/url/parse.hpp>

namespace bqb::http {

void Router::add(beast_http::verb method, std::string_view pattern, Handler handler) {
  routes_.push_back(Route{method, RoutePattern(pattern), std::move(handler)});
}

boost::asio::awaitable<Response> Router::dispatch(const Request& request,
                                                  const PeerCred& peer) const {
  auto parsed = boost::urls::parse_origin_form(request.target());
  if (!parsed) {
    co_return error_response(
        Error{Errc::bad_request, "the request target is not a valid path", ""});
  }
  std::vector<std::string> segments;
  for (auto seg : parsed->segments()) segments.emplace_back(seg);

  std::string allow;
  for (const auto& route : routes_) {
    auto captures = route.pattern.match(segments);
    if (!captures) continue;
    if (route.method != request.method()) {
      if (!allow.empty()) allow += ", ";
      allow += std::string(beast_http::to_string(route.method));
      continue;
    }
    RequestContext ctx{request, peer, boost::urls::url(*parsed), std::move(*captures)};
    try {
      co_return co_await route.handler(ctx);
    } catch (const std::exception& e) {
      spdlog::error("handler for {} {} failed: {}", std::string(request.method_string()),
                    route.pattern.text(), e.what());
    }
    co_return error_response(Error{Errc::internal, "the daemon failed to handle this request",
                                   "this is a bug; the daemon's log has the details"});
  }
  if (!allow.empty()) {
    auto res = error_response(
        Error{Errc::method_not_allowed,
              fmt::format("{} is not allowed on {}; allowed: {}",
                          std::string(request.method_string()), parsed->path(), allow),
              ""});
    res.set(beast_http::field::allow, allow);
    co_return res;
  }
  co_return error_response(Error{
      Errc::not_found,
      fmt::format("no such endpoint: {} {}", std::string(request.method_string()), parsed->path()),
      "the API is described in proto/openapi.yaml"});
}

}  // namespace bqb::http
