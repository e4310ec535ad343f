#pragma once
// The lines of POST /v1/query's application/x-ndjson answer (proto/openapi.yaml), parsed into
// events. Pure logic.
//
// Rows are kept as nlohmann::ordered_json, exactly as they arrived: the daemon sends them in
// column order and with their exact forms (INTEGER/NUMERIC digits as strings, FLOAT as a number
// or "NaN"/"Infinity"/"-Infinity"), and the output formats print them as received.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::client {

/// A result column: a top-level field of the schema line.
struct Column {
  std::string name;
  std::string type;  // as BigQuery spells it: INTEGER, FLOAT, RECORD, …
  std::string mode;  // NULLABLE, REQUIRED or REPEATED

  friend bool operator==(const Column&, const Column&) = default;
};

struct JobEvent {
  std::string project;
  std::string job_id;    // empty for a job-less (JOB_CREATION_OPTIONAL) run
  std::string query_id;  // set for a job-less run
  std::string location;
};

struct SchemaEvent {
  std::vector<Column> columns;
  nlohmann::ordered_json fields;  // the line's "fields", for a dry run's output
};

struct RowEvent {
  nlohmann::ordered_json row;  // an object keyed by column name, in column order
};

struct ProgressEvent {
  std::int64_t elapsed_ms = 0;
  std::string state;
};

struct EndEvent {
  std::int64_t total_rows = 0;
  std::int64_t rows = 0;  // rows the daemon sent
  std::int64_t bytes_processed = 0;
  std::int64_t bytes_billed = 0;
  std::int64_t elapsed_ms = 0;
  bool cache_hit = false;
  bool truncated = false;
  bool dry_run = false;
  std::optional<std::int64_t> dml_affected_rows;
};

struct ErrorEvent {
  Error error;
  nlohmann::json detail;  // the whole "error" object (reason, line, column, …)
};

/// A line whose type this build does not know (a newer daemon): ignored.
struct UnknownEvent {
  std::string type;
};

using QueryEvent = std::variant<JobEvent, SchemaEvent, RowEvent, ProgressEvent, EndEvent,
                                ErrorEvent, UnknownEvent>;

/// @returns the event `line` holds; invalid_json naming the line's type and field when it is
/// not one of the protocol's lines.
Result<QueryEvent> parse_query_line(std::string_view line);

/// The SQL position an error carries ("line"/"column", 1-based), when it has one.
struct SqlPosition {
  int line = 0;
  int column = 0;
};
std::optional<SqlPosition> sql_position(const nlohmann::json& error_object);

}  // namespace bqb::client
