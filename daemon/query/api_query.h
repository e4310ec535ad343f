#pragma once
// The query endpoints (proto/query_api.h has the wire contract):
//   POST   /v1/query                          streams the query's NDJSON lines (QueryRunner)
//   DELETE /v1/jobs/{project}/{job_id}?location=L[&account=EMAIL]   cancels a job
// The query's project is the request's, else the configuration's default_project, else the
// account's (its client_secrets or ADC project).

#include <functional>
#include <optional>
#include <string>

#include "daemon/query/bq_request.h"
#include "daemon/query/query_runner.h"
#include "daemon/server/router.h"
#include "proto/query_api.h"

namespace bqb {

/// @returns the project of the account `account` names (nullopt: the default account), if any.
using QueryProjectLookup =
    std::function<std::optional<std::string>(const std::optional<std::string>& account)>;

/// @returns what jobs.query runs for `r` in `project`: bad_request naming the field for a
/// malformed parameter (bq_param.h's JSON form) or default_dataset.
Result<bq::QueryRequest> to_bq_request(const api::QueryRequest& r, std::string project);

/// Adds the routes above to `router`. `runner` must outlive the router.
void add_query_routes(http::Router& router, QueryRunner& runner,
                      std::optional<std::string> default_project,
                      QueryProjectLookup account_project);

}  // namespace bqb
