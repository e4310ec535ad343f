#include "daemon/query/api_query.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/query/bq_endpoint.h"
#include "daemon/query/bq_param.h"
#include "proto/routes.h"

namespace bqb {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

TokenCaller caller_of(const http::RequestContext& ctx) {
  return TokenCaller{ctx.peer.uid, ctx.peer.pid, process_executable(ctx.peer.pid), "query"};
}

http::Response query_error_response(const api::QueryError& e) {
  return http::json_response(http_status(e.error.code), api::query_error_body(e));
}

struct QueryRoutes {
  QueryRunner& runner;
  std::optional<std::string> default_project;
  QueryProjectLookup account_project;

  awaitable<void> post_query(http::RequestContext& ctx, http::ResponseStream& out) {
    auto spec = parse(ctx);
    if (!spec) {
      http::Response response = http::error_response(spec.error());
      co_await out.respond(std::move(response));
      co_return;
    }
    co_await runner.run(std::move(*spec), out);
  }

  Result<QueryJobSpec> parse(const http::RequestContext& ctx) const {
    BQB_TRY(body, http::json_body(ctx));
    BQB_TRY(request, api::parse_query_request(body));
    const auto account_default =
        request.project || default_project ? std::nullopt : account_project(request.account);
    BQB_TRY(project, bq::resolve_project(request.project, default_project, account_default));
    BQB_TRY(bq_request, to_bq_request(request, std::move(project)));
    return QueryJobSpec{std::move(bq_request), request.account, request.max_rows, caller_of(ctx)};
  }

  awaitable<http::Response> delete_job(http::RequestContext& ctx) {
    std::optional<std::string> location;
    std::optional<std::string> account;
    for (const auto& param : ctx.target.params()) {
      std::optional<std::string>* slot = param.key == "location"  ? &location
                                         : param.key == "account" ? &account
                                                                  : nullptr;
      if (slot == nullptr) {
        co_return http::error_response(Error{
            Errc::bad_request,
            fmt::format("unknown query parameter '{}'; DELETE /v1/jobs/{{project}}/{{job_id}} "
                        "takes location and account",
                        param.key),
            ""});
      }
      if (*slot || param.value.empty()) {
        co_return http::error_response(
            Error{Errc::bad_request,
                  fmt::format("query parameter {} must be given once, not empty", param.key), ""});
      }
      *slot = param.value;
    }
    std::string project = ctx.params.at(0);
    std::string job_id = ctx.params.at(1);
    TokenCaller caller = caller_of(ctx);
    auto result =
        co_await runner.cancel_job(std::move(account), std::move(project), std::move(job_id),
                                   std::move(location), std::move(caller));
    if (!result) co_return query_error_response(result.error());
    co_return http::json_response(200, api::to_json(*result));
  }
};

}  // namespace

Result<bq::QueryRequest> to_bq_request(const api::QueryRequest& r, std::string project) {
  bq::QueryRequest out;
  out.project = std::move(project);
  out.query = r.query;
  out.location = r.location;
  out.use_legacy_sql = r.use_legacy_sql;
  for (std::size_t i = 0; i < r.parameters.size(); ++i) {
    BQB_TRY(p, bq::parse_param_json(r.parameters[i], fmt::format("parameters[{}]", i)));
    out.parameters.push_back(std::move(p));
  }
  if (r.default_dataset) {
    BQB_TRY(dataset, bq::parse_dataset_ref(*r.default_dataset, out.project));
    out.default_dataset = std::move(dataset);
  }
  out.page_size = r.page_size;
  out.dry_run = r.dry_run;
  out.timeout_ms = r.timeout_ms;
  out.maximum_bytes_billed = r.maximum_bytes_billed;
  out.labels = r.labels;
  out.use_query_cache = r.use_query_cache;
  // The same checks jobs.query's body gets, now: a mistake is a 400 before anything runs.
  BQB_TRY(checked, bq::query_request_body(out));
  (void)checked;
  return out;
}

void add_query_routes(http::Router& router, QueryRunner& runner,
                      std::optional<std::string> default_project,
                      QueryProjectLookup account_project) {
  auto routes = std::make_shared<QueryRoutes>(
      QueryRoutes{runner, std::move(default_project), std::move(account_project)});
  router.add_stream(routes::kQuery,
                    [routes](http::RequestContext& ctx, http::ResponseStream& out) {
                      return routes->post_query(ctx, out);
                    });
  router.add(routes::kCancelJob,
             [routes](http::RequestContext& ctx) { return routes->delete_job(ctx); });
}

}  // namespace bqb
