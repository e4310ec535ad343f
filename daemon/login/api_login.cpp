#include "daemon/login/api_login.h"

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "proto/login_api.h"
#include "proto/routes.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
using http::RequestContext;
using http::Response;

/// @returns the `wait` query parameter in seconds (0 when absent); bad_request when it is not an
/// integer from 0 to kMaxLoginWaitSeconds.
Result<std::chrono::seconds> wait_parameter(RequestContext& ctx) {
  auto params = ctx.target.params();
  auto it = params.find("wait");
  if (it == params.end()) return std::chrono::seconds(0);
  const std::string value = (*it).value;
  std::int64_t n = -1;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || end != value.data() + value.size() || n < 0 ||
      n > api::kMaxLoginWaitSeconds) {
    return fail(Errc::bad_request,
                fmt::format("query parameter 'wait' must be a number of seconds from 0 to {}",
                            api::kMaxLoginWaitSeconds));
  }
  return std::chrono::seconds(n);
}

asio::awaitable<Response> start_login(LoginManager& logins, RequestContext& ctx) {
  // An empty body is a request with every field left out.
  auto body = http::optional_json_body(ctx);
  if (!body) co_return http::error_response(body.error());
  auto request = api::parse_login_start_request(*body);
  if (!request) co_return http::error_response(request.error());
  auto started = logins.start(*request);
  if (!started) co_return http::error_response(started.error());
  co_return http::json_response(201, api::to_json(*started));
}

asio::awaitable<Response> get_login(LoginManager& logins, RequestContext& ctx) {
  auto wait = wait_parameter(ctx);
  if (!wait) co_return http::error_response(wait.error());
  auto flow = logins.find(ctx.params.at(0));
  if (!flow) co_return http::error_response(flow.error());
  auto status = co_await (*flow)->wait(*wait);
  co_return http::json_response(200, api::to_json(status));
}

asio::awaitable<Response> paste_redirect(LoginManager& logins, RequestContext& ctx) {
  auto flow = logins.find(ctx.params.at(0));
  if (!flow) co_return http::error_response(flow.error());
  auto body = http::json_body(ctx);
  if (!body) co_return http::error_response(body.error());
  auto request = api::parse_login_redirect_request(*body);
  if (!request) co_return http::error_response(request.error());
  auto status = co_await (*flow)->complete_from_pasted(std::move(request->url));
  if (!status) co_return http::error_response(status.error());
  co_return http::json_response(200, api::to_json(*status));
}

asio::awaitable<Response> cancel_login(LoginManager& logins, RequestContext& ctx) {
  auto flow = logins.find(ctx.params.at(0));
  if (!flow) co_return http::error_response(flow.error());
  auto status = (*flow)->cancel();
  if (!status) co_return http::error_response(status.error());
  co_return http::json_response(200, api::to_json(*status));
}

}  // namespace

void add_login_routes(http::Router& router, LoginManager& logins) {
  router.add(routes::kStartLogin,
             [&logins](RequestContext& ctx) { return start_login(logins, ctx); });
  router.add(routes::kLoginState,
             [&logins](RequestContext& ctx) { return get_login(logins, ctx); });
  router.add(routes::kLoginRedirect,
             [&logins](RequestContext& ctx) { return paste_redirect(logins, ctx); });
  router.add(routes::kCancelLogin,
             [&logins](RequestContext& ctx) { return cancel_login(logins, ctx); });
}

}  // namespace bqb
