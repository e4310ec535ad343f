#pragma once
// One `bqbroker query` result being printed: takes the daemon's NDJSON lines as they arrive
// (DaemonClient::stream), drives the output format, and decides what the user sees at the end
// (footer, --max-rows notice, error with the SQL position) and the exit code.
//
// Output errors end the query: a closed pipe (EPIPE, e.g. `| head`) quietly with exit 0, like
// other Unix tools, any other write error with exit 1. SIGPIPE must be ignored by the process
// for the former to be seen. Either way the stream is stopped, so the connection closes and the
// daemon cancels the job.

#include <iosfwd>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/cli/query/query_format.h"
#include "client/cli/query/query_spinner.h"
#include "client/cli/query/query_table.h"
#include "client/lib/daemon_client.h"
#include "client/lib/query_events.h"

namespace bqb::cli {

struct SessionSettings {
  OutputFormat format = OutputFormat::pretty;
  TableStyle table;  // pretty only
};

class QuerySession {
 public:
  /// Writes the result to `out`, notices and errors to `err`; stops `progress` before either.
  QuerySession(SessionSettings settings, std::ostream& out, std::ostream& err, Progress& progress);

  /// Handles one line of the stream. @returns stop when output failed or the line is not valid.
  client::LineAction on_line(std::string_view line);
  /// Flushes the output (the stream is about to wait). @returns stop when output failed.
  client::LineAction on_idle();

  /// Ends the result after the stream ended with `stream` (the daemon's error object of a
  /// non-2xx answer in `error_object`); prints the ending or the error for `sql`.
  /// @returns the exit code.
  int finish(const Result<client::StreamEnd>& stream, const nlohmann::json& error_object,
             std::string_view sql);

  /// @returns the handler that feeds this session.
  client::LineHandler handler();

 private:
  void start();
  bool output_ok();
  int fail_with(const Error& e, std::optional<client::SqlPosition> pos, std::string_view sql);
  void print_dry_run(const client::EndEvent& end);

  SessionSettings settings_;
  std::ostream& out_;
  std::ostream& err_;
  Progress& progress_;
  std::unique_ptr<RowWriter> writer_;
  std::vector<client::Column> columns_;
  nlohmann::ordered_json schema_fields_;
  bool started_ = false;
  std::optional<int> output_errno_;  // set once a write failed
  std::optional<Error> protocol_error_;
  std::optional<client::ErrorEvent> failure_;
  std::optional<client::EndEvent> end_;
};

}  // namespace bqb::cli
