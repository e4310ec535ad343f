#include "daemon/server/router.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/url/parse.hpp>

#include "daemon/base/foreign_text.h"
#include "daemon/base/gcc_coroutine_frames.h"  // silences a GCC 12 false positive

namespace bqb::http {

void Router::add(const routes::Route& route, Handler handler) {
  routes_.push_back(Route{beast_http::string_to_verb(route.method), RoutePattern(route.pattern),
                          std::move(handler), nullptr});
}

void Router::add_stream(const routes::Route& route, StreamHandler handler) {
  routes_.push_back(Route{beast_http::string_to_verb(route.method), RoutePattern(route.pattern),
                          nullptr, std::move(handler)});
}

namespace {

// Collects a (possibly streamed) answer into one Response, for the dispatch() that returns one.
class CollectingStream final : public ResponseStream {
 public:
  boost::asio::awaitable<bool> respond(Response response) override {
    if (answered_) co_return false;
    answered_ = true;
    response_ = std::move(response);
    co_return true;
  }
  boost::asio::awaitable<bool> begin(int status, std::string_view content_type) override {
    if (answered_) co_return false;
    answered_ = true;
    response_.result(static_cast<beast_http::status>(status));
    response_.set(beast_http::field::content_type, content_type);
    co_return true;
  }
  boost::asio::awaitable<bool> write(std::string data) override {
    response_.body() += data;
    co_return true;
  }
  bool cancelled() const override { return false; }

  Response take() {
    if (!answered_) {
      return error_response(Error{Errc::internal, "the daemon's handler ended without an answer",
                                  "this is a bug; the daemon's log has the details"});
    }
    response_.prepare_payload();
    return std::move(response_);
  }

 private:
  bool answered_ = false;
  Response response_;
};

}  // namespace

boost::asio::awaitable<Response> Router::dispatch(const Request& request, PeerCred peer) const {
  CollectingStream out;
  co_await dispatch(request, peer, out);
  co_return out.take();
}

boost::asio::awaitable<void> Router::dispatch(const Request& request, PeerCred peer,
                                              ResponseStream& out) const {
  auto parsed = boost::urls::parse_origin_form(request.target());
  if (!parsed) {
    auto res =
        error_response(Error{Errc::bad_request, "the request target is not a valid path", ""});
    co_await out.respond(std::move(res));
    co_return;
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
    bool threw = false;
    try {
      if (route.stream_handler) {
        out.watch_client();
        co_await route.stream_handler(ctx, out);
      } else {
        auto response = co_await route.handler(ctx);
        co_await out.respond(std::move(response));
      }
    } catch (const std::exception& e) {
      threw = true;
      spdlog::error("handler for {} {} failed: {}", std::string(request.method_string()),
                    route.pattern.text(), sanitize_foreign_text(e.what()));
    }
    // A handler that threw after it began streaming cannot be answered any more: respond()
    // refuses, and the stream ends where it stopped.
    if (threw) {
      auto res = error_response(Error{Errc::internal, "the daemon failed to handle this request",
                                      "this is a bug; the daemon's log has the details"});
      co_await out.respond(std::move(res));
    }
    co_return;
  }
  if (!allow.empty()) {
    auto res = error_response(
        Error{Errc::method_not_allowed,
              fmt::format("{} is not allowed on {}; allowed: {}",
                                std::string(request.method_string()), std::string_view(parsed->encoded_path()), allow),
              ""});
    res.set(beast_http::field::allow, allow);
    co_await out.respond(std::move(res));
    co_return;
  }
  auto res = error_response(Error{
      Errc::not_found,
      fmt::format("no such endpoint: {} {}", std::string(request.method_string()), std::string_view(parsed->encoded_path())),
      "the API is described in proto/openapi.yaml"});
  co_await out.respond(std::move(res));
}

}  // namespace bqb::http
