// bqbroker query [SQL | -] [options]: run a query through the daemon and print its rows as they
// arrive (see query_session.h for the streaming and its endings, query_format.h and
// query_table.h for the formats).

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/cli/command.h"
#include "client/cli/exit_codes.h"
#include "client/cli/query/query_format.h"
#include "client/cli/query/query_request.h"
#include "client/cli/query/query_session.h"
#include "client/cli/query/query_spinner.h"
#include "client/lib/api_calls.h"
#include "proto/read_to_end.h"

namespace bqb::cli {
namespace {

// BigQuery takes at most 1 MiB of SQL; stdin beyond this is a mistake (a wrong file).
constexpr std::size_t kMaxSqlBytes = std::size_t{16} << 20;
// `bq` shows 100 rows by default; a table is for reading, not for millions of rows.
constexpr std::uint64_t kPrettyDefaultMaxRows = 100;

constexpr const char* kQueryFooter =
    "Formats:\n"
    "  pretty  an aligned table (the default): widths come from the first 200 rows, which are\n"
    "          held back until they arrived; later rows are printed as they come, cut to those\n"
    "          widths (a cut value ends in …); on a terminal the table fits its width and NULL\n"
    "          is dimmed. The last line says how many rows and bytes the query processed.\n"
    "          At most 100 rows unless --max-rows says otherwise.\n"
    "  csv     RFC 4180: header row, CRLF line ends; NULL is an empty field, the empty string\n"
    "          \"\"; RECORD and REPEATED values are compact JSON.\n"
    "  json    one array of row objects, one row per line.\n"
    "  ndjson  one row object per line.\n"
    "json and ndjson rows keep BigQuery's exact values: INTEGER, NUMERIC and BIGNUMERIC as\n"
    "strings of digits, FLOAT as numbers or \"NaN\"/\"Infinity\"/\"-Infinity\", BYTES base64,\n"
    "TIMESTAMP as RFC 3339 UTC. csv, json and ndjson print every row unless --max-rows is given.\n"
    "Rows are printed as they arrive; when --max-rows cut the result, stderr says so.\n"
    "Closing the output early (| head) stops the query and cancels its job.\n"
    "\n"
    "Examples:\n"
    "  bqbroker query 'SELECT name, COUNT(*) AS n FROM `p.d.t` GROUP BY name' --project p\n"
    "  bqbroker query --format csv < report.sql > report.csv\n"
    "  bqbroker query 'SELECT * FROM d.t WHERE id = @id AND day >= @since' \\\n"
    "      --param id:INT64:42 --param since:DATE:2024-01-31\n"
    "  bqbroker query 'SELECT ?' --param :STRING:positional\n"
    "  bqbroker query 'SELECT * FROM d.t WHERE id IN UNNEST(@ids)' --param "
    "'ids:ARRAY<INT64>:[1,2]'\n"
    "  bqbroker query --dry-run 'SELECT * FROM `p.d.big`'\n"
    "\n"
    "A SQL argument starting with '-' goes after `--`. On a terminal, stderr shows a progress\n"
    "line with the elapsed time and the job while the query runs. Exit codes: 0 ok, 1 the query\n"
    "failed (the message gives the SQL line:column), 2 usage, 3 daemon unreachable, 4 the\n"
    "account needs `bqbroker login`.";

struct QueryOptions {
  std::optional<std::string> sql;
  QueryRequest request;
  std::vector<std::string> params;
  std::string format = "pretty";
  std::string max_rows;  // "" (the format's default), "all" or a number
};

/// @returns the --max-rows value: nullopt for "all"; the format's default when not given.
std::optional<std::uint64_t> max_rows_of(const QueryOptions& o, OutputFormat format) {
  if (o.max_rows == "all") return std::nullopt;
  if (!o.max_rows.empty()) return std::stoull(o.max_rows);  // checked by the validator
  if (format == OutputFormat::pretty) return kPrettyDefaultMaxRows;
  return std::nullopt;
}

/// @returns `s` is "all" or a non-negative integer.
std::string check_max_rows(const std::string& s) {
  if (s == "all") return "";
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 18) {
    return "--max-rows takes a number of rows or `all`, not '" + s + "'";
  }
  return "";
}

Result<std::string> read_fd(int fd) {
  auto text = read_to_end(fd, kMaxSqlBytes);
  if (!text && text.error().too_large) {
    return fail(Errc::bad_request, "the SQL on standard input is longer than 16 MiB");
  }
  if (!text) {
    return fail(Errc::io_error, std::string("cannot read the SQL from standard input: ") +
                                    std::strerror(text.error().error));
  }
  return std::move(*text);
}

/// The process's own stdout/stderr count as terminals when they are ttys; any other stream (a
/// test's) never does.
bool is_terminal(const std::ostream& s, const std::ostream& standard, int fd) {
  return &s == &standard && ::isatty(fd) == 1;
}

std::optional<std::size_t> terminal_width(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const long n = std::strtol(columns, nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return std::nullopt;
}

Result<int> run_query(Context& ctx, QueryOptions& o) {
  // A closed output pipe must be an EPIPE the session sees, not a silent death by signal.
  std::signal(SIGPIPE, SIG_IGN);
  const OutputFormat format = parse_output_format(o.format).value_or(OutputFormat::pretty);

  BQB_TRY(source, choose_sql_source(o.sql, ::isatty(ctx.in_fd) == 1));
  std::string sql_text;
  if (source == SqlSource::standard_input) {
    BQB_TRY(text, read_fd(ctx.in_fd));
    sql_text = std::move(text);
  } else {
    sql_text = *o.sql;
  }
  BQB_TRY(sql,
          non_empty_sql(std::move(sql_text),
                        source == SqlSource::standard_input ? "standard input" : "the argument"));
  for (const std::string& p : o.params) {
    BQB_TRY(param, split_param(p));
    o.request.params.push_back(std::move(param));
  }
  o.request.max_rows = max_rows_of(o, format);

  BQB_TRY(daemon, ctx.connect());

  const bool out_tty = is_terminal(ctx.out, std::cout, STDOUT_FILENO);
  const bool err_tty = is_terminal(ctx.err, std::cerr, STDERR_FILENO);
  SessionSettings settings;
  settings.format = format;
  if (out_tty) {
    settings.table.terminal_width = terminal_width(STDOUT_FILENO);
    settings.table.color = true;
  }
  auto progress = err_tty ? make_terminal_progress(ctx.err, terminal_width(STDERR_FILENO))
                          : make_silent_progress();
  QuerySession session(settings, ctx.out, ctx.err, *progress);
  nlohmann::json error_object;
  auto ended =
      client::run_query(daemon, query_body(o.request, sql), session.handler(), &error_object);
  return session.finish(ended, error_object, sql);
}

}  // namespace

Action setup_query(CLI::App& sub) {
  auto o = std::make_shared<QueryOptions>();
  sub.add_option("sql", o->sql,
                 "The SQL (standard SQL unless --legacy-sql); `-` or none: read it from "
                 "standard input (when that is not a terminal)")
      ->type_name("SQL");
  sub.add_option("--project", o->request.project,
                 "The project the query runs (and is billed) in (default: the config's "
                 "[bigquery] default_project, else the account's client_secrets project)")
      ->type_name("P");
  sub.add_option("--location", o->request.location, "Where the job runs, e.g. US, EU")
      ->type_name("L");
  sub.add_option("--account", o->request.account, "The account (default: the default account)")
      ->type_name("EMAIL");
  sub.add_option("--format", o->format, "How to print the rows (see below)")
      ->type_name("pretty|csv|json|ndjson")
      ->check(CLI::IsMember({"pretty", "csv", "json", "ndjson"}))
      ->capture_default_str();
  sub.add_option("--max-rows", o->max_rows,
                 "Print at most N rows, or `all` (default: 100 for pretty, all otherwise)")
      ->type_name("N|all")
      ->check(CLI::Validator(check_max_rows, ""));
  sub.add_flag("--dry-run", o->request.dry_run,
               "Check the query and say how many bytes it would process, without running it");
  sub.add_option("--param", o->params,
                 "A query parameter, as `bq` takes it: name:TYPE:value (name empty for a "
                 "positional `?`, TYPE empty for STRING, value NULL for NULL, ARRAY and STRUCT "
                 "values as JSON); repeatable")
      ->type_name("name:TYPE:value")
      ->allow_extra_args(false)
      ->check(CLI::Validator(
          [](const std::string& s) -> std::string {
            auto p = split_param(s);
            return p ? "" : p.error().message;
          },
          ""));
  sub.add_flag("--legacy-sql", o->request.legacy_sql, "Use legacy SQL instead of standard SQL");
  sub.add_option("--default-dataset", o->request.default_dataset,
                 "The dataset unqualified table names are looked up in")
      ->type_name("P.D");
  sub.add_option("--max-bytes-billed", o->request.max_bytes_billed,
                 "Fail the query instead of billing more bytes than this")
      ->type_name("N")
      ->check(
          CLI::Range(std::uint64_t{1}, std::uint64_t{std::numeric_limits<std::int64_t>::max()}));
  sub.add_option("--page-size", o->request.page_size,
                 "Rows the daemon fetches from BigQuery per page (default: BigQuery's)")
      ->type_name("N")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
  sub.footer(kQueryFooter);
  return [o](Context& ctx) -> Result<int> { return run_query(ctx, *o); };
}

}  // namespace bqb::cli
