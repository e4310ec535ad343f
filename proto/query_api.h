#pragma once
// The query endpoints' request and the NDJSON lines of their streamed answer, shared by the
// daemon and the CLI (proto/openapi.yaml is the written definition):
//   POST /v1/query  QueryRequest → 200 application/x-ndjson, one JSON object per line:
//     {"type":"job","project","job_id"|"query_id","location"}   once a job reference exists
//     {"type":"schema","fields":[…]}                            once, before the rows
//     {"type":"row","row":{col: value, …}}                      column order kept
//     {"type":"progress","elapsed_ms","state"}                  while the job runs (≤ 10 s apart)
//     {"type":"end",…QueryEnd}  or  {"type":"error","error":{…QueryError}}   the last line
//   An error found before the first line is the usual error envelope (query_error_body) with
//   the status of its code instead.
//   DELETE /v1/jobs/{project}/{job_id}?location=L → 200 JobCancelResult.
// Parsing never throws: it returns invalid_json (a wrong type) or bad_request (an unknown field,
// a value out of range) naming the field.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::api {

/// The body of POST /v1/query.
struct QueryRequest {
  std::string query;                    // required, non-empty
  std::optional<std::string> project;   // absent: [default_project], then the account's project
  std::optional<std::string> location;  // e.g. "US", "EU", "europe-west1"
  std::optional<std::string> account;   // absent: the default account
  bool use_legacy_sql = false;
  /// Query parameters in the socket API's JSON form ({"name"?, "type", "value"}; see
  /// daemon/query/bq_param.h, which validates them). Always an array.
  nlohmann::json parameters = nlohmann::json::array();
  std::optional<std::string> default_dataset;  // "project.dataset" or "dataset"
  std::optional<std::int64_t> max_rows;        // ≥ 0: rows sent at most (then truncated=true)
  std::optional<std::int64_t> page_size;       // > 0: rows per BigQuery page
  bool dry_run = false;
  std::optional<std::int64_t> timeout_ms;            // ≥ 0: jobs.query's own wait
  std::optional<std::int64_t> maximum_bytes_billed;  // ≥ 0; an integer or a decimal string
  std::map<std::string, std::string> labels;
  std::optional<bool> use_query_cache;
};

/// @returns the request as JSON, leaving out what is absent or default.
nlohmann::json to_json(const QueryRequest& r);
/// @returns the request in `j`. invalid_json for a field of the wrong type; bad_request naming
/// the field for an unknown field, an empty query, a negative max_rows/timeout_ms/
/// maximum_bytes_billed, a page_size below 1, parameters that are not an array, labels that are
/// not an object of strings.
Result<QueryRequest> parse_query_request(const nlohmann::json& j);

/// The `job` line: exactly one of job_id and query_id is set (a query run without a job, with
/// jobCreationMode JOB_CREATION_OPTIONAL, has only a query id).
struct QueryJob {
  std::string project;
  std::optional<std::string> job_id;
  std::optional<std::string> query_id;
  std::string location;  // may be empty
};

/// The `progress` line.
struct QueryProgress {
  std::int64_t elapsed_ms = 0;
  std::string state = "RUNNING";
};

/// The `end` line: what a successful stream ends with.
struct QueryEnd {
  std::int64_t total_rows = 0;  // rows in the result (BigQuery's totalRows)
  std::int64_t rows = 0;        // rows sent on this stream
  std::int64_t bytes_processed = 0;
  std::int64_t bytes_billed = 0;
  bool cache_hit = false;
  bool truncated = false;  // max_rows stopped the stream before the last row
  bool dry_run = false;
  std::int64_t elapsed_ms = 0;
  std::optional<std::int64_t> num_dml_affected_rows;
};

/// A failed query: the broker's error plus what BigQuery said about it.
struct QueryError {
  Error error;
  std::string reason;  // BigQuery's reason ("invalidQuery", …); empty when none
  std::optional<int> line;
  std::optional<int> column;
};

/// @returns the error envelope of a query error:
/// {"error":{"code","message","hint"?,"reason"?,"line"?,"column"?}}.
nlohmann::json query_error_body(const QueryError& e);

/// Each returns one NDJSON line, newline included. Text that is not valid UTF-8 (it may come
/// from BigQuery) is replaced by U+FFFD instead of failing the line.
std::string job_line(const QueryJob& j);
/// `fields` is daemon/query/bq_schema.h's schema_to_json.
std::string schema_line(const nlohmann::ordered_json& fields);
/// `row` is daemon/query/bq_value.h's convert_row output.
std::string row_line(const nlohmann::ordered_json& row);
std::string progress_line(const QueryProgress& p);
std::string end_line(const QueryEnd& e);
std::string error_line(const QueryError& e);

/// 200 answer to DELETE /v1/jobs/{project}/{job_id}.
struct JobCancelResult {
  std::string project;
  std::string job_id;
  std::string location;
  std::string state;  // BigQuery's state after the cancel request: "RUNNING", "DONE", …
};
nlohmann::json to_json(const JobCancelResult& r);

}  // namespace bqb::api
