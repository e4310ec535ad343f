#pragma once
// The fake BigQuery's optional query engine. A query nobody scripted (script.h) goes to the
// executor when one is plugged in (the emulator plugs in SQLite); without one, or when it declines,
// the fake answers invalidQuery as before. Scripted results always win.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "fakes/bigquery/script.h"

namespace bqb::fakes::bigquery {

/// What a client asked to run (jobs.query's body, or jobs.insert's configuration.query).
struct QueryRequest {
  std::string project;
  std::string query;
  std::string parameter_mode;                 // "NAMED", "POSITIONAL" or "" (none sent)
  nlohmann::json query_parameters = nullptr;  // the QueryParameter array as sent, or null
};

/// A finished query: BigQuery's TableSchema and rows in the all-strings form
/// {"f":[{"v":…}]}, TIMESTAMP values as int64 microseconds (the fake converts them on the way out).
struct QueryOutput {
  nlohmann::json schema;  // {"fields":[…]}
  nlohmann::json rows;    // array
  std::int64_t total_bytes_processed = 0;
};

class QueryExecutor {
 public:
  virtual ~QueryExecutor() = default;
  /// Runs `request` to completion. @returns its output, or the error BigQuery would answer
  /// (e.g. 400 invalidQuery with "… at [line:col]", location "query").
  virtual tl::expected<QueryOutput, ScriptedError> execute(const QueryRequest& request) = 0;
};

}  // namespace bqb::fakes::bigquery
