#pragma once
// Answers of BigQuery's REST API v2 to a query, without the HTTP: the jobs.query /
// getQueryResults page (QueryResponse, GetQueryResultsResponse) and error bodies, classified for
// the runner (retry with the same requestId, refresh the token once, or give up) and mapped to
// the broker's error codes with BigQuery's reason and message kept.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/net/retry_action.h"
#include "daemon/query/bq_schema.h"
#include "proto/error.h"

namespace bqb::bq {

struct JobReference {
  std::string project_id;
  std::string job_id;
  std::string location;  // may be empty

  friend bool operator==(const JobReference&, const JobReference&) = default;
};

/// One answer of jobs.query or getQueryResults.
struct QueryPage {
  bool job_complete = false;
  std::optional<JobReference> job;  // absent when JOB_CREATION_OPTIONAL ran without a job
  std::string query_id;             // jobs.query's queryId; may be empty
  std::string location;             // jobs.query's location (or the job's)
  std::optional<Schema> schema;     // present once complete
  nlohmann::json rows = nlohmann::json::array();  // raw {"f":[…]} rows: convert with convert_row
  std::string page_token;                         // empty on the last page
  std::optional<std::uint64_t> total_rows;
  std::optional<std::int64_t> total_bytes_processed;
  std::optional<std::int64_t> total_bytes_billed;  // jobs.query only (not getQueryResults)
  std::optional<std::int64_t> num_dml_affected_rows;
  bool cache_hit = false;
};

/// @returns the page in the 2xx body `body` of `where` (e.g. "getQueryResults for job J").
/// upstream_error naming the field for a body that is not JSON or has a field of the wrong type
/// (totalRows not a decimal string/number, rows not an array, a malformed schema, jobComplete
/// true without a schema while rows are present, …).
Result<QueryPage> parse_query_page(std::string_view body, std::string_view where);

/// A classified BigQuery error.
struct BqError {
  int http_status = 0;      // the answer's HTTP status
  std::string reason;       // errors[0].reason, or the ErrorInfo reason; "" when the body had none
  std::string message;      // error.message (sanitized); for a non-JSON body a sanitized excerpt
  std::string location;     // errors[0].location
  std::string status;       // "INVALID_ARGUMENT", …
  std::optional<int> line;  // the SQL position "[line:column]" in the message, when present
  std::optional<int> column;
  RetryAction action = RetryAction::fail;  // retry, refresh (401) or fail
  Errc code = Errc::upstream_error;
  std::string hint;
};

/// @returns the classification of a non-2xx answer with any body (JSON error body, HTML from a
/// proxy, empty). Reasons decide before statuses (BigQuery sends rateLimitExceeded and
/// quotaExceeded both as 403):
///   invalidQuery → invalid_query; invalid → bad_request; accessDenied → access_denied;
///   insufficientPermissions / ACCESS_TOKEN_SCOPE_INSUFFICIENT → scope_not_granted with the hint
///   `bqbroker login --scope bigquery`; notFound → not_found; duplicate → conflict;
///   quotaExceeded → quota_exceeded; rateLimitExceeded, jobRateLimitExceeded → rate_limited
///   (retry); backendError, internalError, badGateway, jobBackendError, jobInternalError →
///   backend_error (retry); HTTP 401 → needs_login (refresh); otherwise 429 → rate_limited
///   (retry), 408/500/502/503/504 → backend_error (retry), 404 → not_found, anything else
///   upstream_error.
BqError classify_error(int http_status, std::string_view body);

/// @returns `e` as the broker's Error: its code and hint, and a message that keeps BigQuery's
/// reason and message (with the SQL position), prefixed by `where` (e.g. "BigQuery jobs.query").
Error bq_error_to_error(const BqError& e, std::string_view where);

/// @returns the "[line:column]" position BigQuery puts at the end of a SQL error message
/// ("Syntax error: Unexpected end of script at [1:15]"), or nullopt.
std::optional<std::pair<int, int>> sql_position(std::string_view message);

}  // namespace bqb::bq
