#include "daemon/metadata/api_metadata.h"

#include <nlohmann/json.hpp>

#include "proto/metadata_api.h"
#include "proto/routes.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
using http::RequestContext;
using http::Response;

Response no_content() {
  Response res{http::beast_http::status::no_content, 11};
  res.set(http::beast_http::field::cache_control, "no-store");
  return res;
}

asio::awaitable<Response> open_session(MetadataSessions& sessions, RequestContext& ctx) {
  // An empty body is a request with every field left out.
  auto body = http::optional_json_body(ctx);
  if (!body) co_return http::error_response(body.error());
  auto request = api::parse_metadata_session_request(*body);
  if (!request) co_return http::error_response(request.error());
  auto session = co_await sessions.open(std::move(*request), ctx.peer);
  if (!session) co_return http::error_response(session.error());
  co_return http::json_response(201, api::to_json(*session));
}

asio::awaitable<Response> close_session(MetadataSessions& sessions, RequestContext& ctx) {
  if (auto closed = sessions.close(ctx.params.at(0)); !closed) {
    co_return http::error_response(closed.error());
  }
  co_return no_content();
}

asio::awaitable<Response> follow_process(MetadataSessions& sessions, RequestContext& ctx) {
  auto body = http::json_body(ctx);
  if (!body) co_return http::error_response(body.error());
  auto process = api::parse_metadata_session_process(*body);
  if (!process) co_return http::error_response(process.error());
  if (auto followed = sessions.follow(ctx.params.at(0), static_cast<pid_t>(process->pid), ctx.peer);
      !followed) {
    co_return http::error_response(followed.error());
  }
  co_return no_content();
}

}  // namespace

void add_metadata_routes(http::Router& router, MetadataSessions& sessions) {
  router.add(routes::kOpenMetadataSession,
             [&sessions](RequestContext& ctx) { return open_session(sessions, ctx); });
  router.add(routes::kCloseMetadataSession,
             [&sessions](RequestContext& ctx) { return close_session(sessions, ctx); });
  router.add(routes::kFollowMetadataSessionProcess,
             [&sessions](RequestContext& ctx) { return follow_process(sessions, ctx); });
}

}  // namespace bqb
