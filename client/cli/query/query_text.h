#pragma once
// The sentences `bqbroker query` prints around a result: the pretty format's footer, the notice
// of rows cut by --max-rows, a dry run's estimate, a query error with the SQL line and a caret,
// and the terminal's progress line. Pure logic.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/lib/query_events.h"
#include "proto/error.h"

namespace bqb::cli {

/// @returns the pretty format's last line, e.g. "3 rows, 1.5 KiB processed (cached)\n", or for
/// a DML statement "7 rows affected, 10.0 MiB processed\n".
std::string result_footer(const client::EndEvent& end);

/// @returns the stderr notice for a result cut by --max-rows: "bqbroker: warning: showing the
/// first N rows of M; --max-rows to change\n".
std::string truncation_notice(const client::EndEvent& end);

/// @returns a dry run's answer: "dry run: the query is valid and would process 1.5 KiB (1536
/// bytes)\n".
std::string dry_run_text(const client::EndEvent& end);

/// @returns the SQL line `pos` points into, and a caret under its column, each indented by two
/// spaces; "" when `pos` lies outside `sql`. Columns count code points (as BigQuery's do); tabs
/// before the column are kept so that the caret lines up.
std::string sql_excerpt(std::string_view sql, client::SqlPosition pos);

/// @returns `e` as the CLI shows a query error: "bqbroker: <message>\n", the SQL excerpt when
/// the error has a position (the message gains " at [line:column]" when it does not say so
/// already), then "hint: <hint>\n".
std::string render_query_error(const Error& e, std::optional<client::SqlPosition> pos,
                               std::string_view sql);

/// @returns the terminal's progress line without control codes, e.g.
/// "⠹ running 12.3 s · job my-project:US.bquxjob_1" (`job` empty: not known yet).
std::string progress_line(std::size_t frame, std::chrono::milliseconds elapsed,
                          std::string_view job);

/// @returns how the progress line names the job of `e`: "project:location.job_id" (query_id for
/// a job-less run).
std::string job_label(const client::JobEvent& e);

}  // namespace bqb::cli
