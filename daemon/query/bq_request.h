#pragma once
// Requests to BigQuery's REST API v2 for running a query, without the HTTP: the jobs.query body
// and the request targets (path + query) of getQueryResults, jobs.get and jobs.cancel. Targets
// are relative to the API root "<endpoint>/bigquery/v2"; path segments and query values are
// percent-encoded (RFC 3986 unreserved characters only).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/query/bq_param.h"
#include "proto/error.h"

namespace bqb::bq {

struct DatasetRef {
  std::string project_id;
  std::string dataset_id;

  friend bool operator==(const DatasetRef&, const DatasetRef&) = default;
};

/// @returns the dataset `text` names: "project.dataset", "project:dataset" (bq's form), or
/// "dataset" in `default_project`; bad_request for an empty part or more than one separator.
/// Project ids may contain a domain ("example.com:proj"): "example.com:proj.ds" is accepted.
Result<DatasetRef> parse_dataset_ref(std::string_view text, std::string_view default_project);

/// One query to run, as the daemon hands it to jobs.query.
struct QueryRequest {
  std::string project;  // the project that runs (and pays for) the job: the URL's {projectId}
  std::string query;
  std::optional<std::string> location;
  bool use_legacy_sql = false;             // the API's default is true: always sent explicitly
  std::vector<QueryParameter> parameters;  // all named or all positional
  std::optional<DatasetRef> default_dataset;
  std::optional<std::int64_t> page_size;  // maxResults: rows per page
  bool dry_run = false;
  std::optional<std::int64_t> timeout_ms;  // how long jobs.query waits before jobComplete=false
  std::optional<std::int64_t> maximum_bytes_billed;
  std::map<std::string, std::string> labels;
  std::optional<bool> use_query_cache;
  std::string request_id;              // makes retries idempotent: the same on every retry
  bool job_creation_optional = false;  // jobCreationMode JOB_CREATION_OPTIONAL
};

/// requestId: at most 36 characters (a UUID).
inline constexpr std::size_t kMaxRequestIdLength = 36;

/// @returns the jobs.query body (QueryRequest) for `r`, always with useLegacySql and
/// formatOptions.useInt64Timestamp=true. bad_request naming the field for: an empty query or
/// project, named and positional parameters mixed, a named parameter with legacy SQL, a
/// requestId longer than 36 characters, a negative page size/timeout/byte limit.
Result<nlohmann::json> query_request_body(const QueryRequest& r);

/// @returns "/projects/{project}/queries": the jobs.query target (POST).
std::string queries_target(std::string_view project);

/// Query-string pieces of getQueryResults.
struct ResultsPageRequest {
  std::string project;
  std::string job_id;
  std::optional<std::string> location;
  std::optional<std::string> page_token;
  std::optional<std::int64_t> max_results;
  std::optional<std::int64_t> timeout_ms;  // the server long-polls up to this while not complete
  std::optional<std::uint64_t> start_index;
};

/// @returns "/projects/{p}/queries/{job}?…&formatOptions.useInt64Timestamp=true": the
/// getQueryResults target (GET).
std::string get_query_results_target(const ResultsPageRequest& r);

/// @returns "/projects/{p}/jobs/{job}/cancel[?location=L]": the jobs.cancel target (POST).
std::string cancel_target(std::string_view project, std::string_view job_id,
                          const std::optional<std::string>& location);

}  // namespace bqb::bq
