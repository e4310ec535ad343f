#pragma once
// Runs one BigQuery query and streams its answer as the socket API's NDJSON lines
// (proto/query_api.h) onto a ResponseStream:
//   jobs.query (fresh requestId, JOB_CREATION_OPTIONAL unless a dry run) → `job` line;
//   while jobComplete is false: a `progress` line, then getQueryResults (the server long-polls
//   up to poll_timeout); `schema`; the rows page by page, converted by column type, several rows
//   per write but never more than one page held, and the next page is asked for only once the
//   client has taken the previous one (back-pressure); `end`.
// Failures before the first line are answered as a whole JSON error response; after it, as an
// `error` line. When the client goes away (a write fails, or cancelled() turns true) or the
// query fails while its job still runs, the job is cancelled (jobs.cancel) before returning.
// One info line per query: account, project, job, rows, bytes, elapsed, and the SQL's length and
// fingerprint (never its text: it may hold the user's data).

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "daemon/query/bq_caller.h"
#include "daemon/query/bq_request.h"
#include "daemon/server/http_types.h"

namespace bqb {

struct QueryRunnerOptions {
  BqCallerOptions bigquery;
  /// getQueryResults' timeoutMs while the job runs, and the cap of jobs.query's timeoutMs: the
  /// client sees a progress line at least this often. At most 10 s.
  std::chrono::milliseconds poll_timeout{std::chrono::seconds(10)};
  /// Bound on each request beyond the server's long poll.
  std::chrono::milliseconds http_timeout{std::chrono::seconds(60)};
  /// Bound on the best-effort jobs.cancel of an abandoned job (not retried).
  std::chrono::milliseconds cancel_timeout{std::chrono::seconds(5)};
  /// Rows are written in chunks of about this many bytes (a page's last chunk may be smaller).
  std::size_t batch_bytes = std::size_t{64} << 10;
  /// The requestId source; default random_uuid().
  std::function<Result<std::string>()> new_request_id;
};

/// One query to run.
struct QueryJobSpec {
  /// What jobs.query gets; the runner sets request_id, job_creation_optional and the page size.
  bq::QueryRequest request;
  std::optional<std::string> account;  // nullopt: the default account
  std::optional<std::int64_t> max_rows;
  TokenCaller caller;
};

class QueryRunner {
 public:
  /// Everything must outlive the runner; coroutines run on the daemon's io thread.
  QueryRunner(HttpClient& http, TokenSource& tokens, QueryRunnerOptions options);

  /// Runs `spec` and answers on `out` (see above). Never throws for a query's failure.
  boost::asio::awaitable<void> run(QueryJobSpec spec, http::ResponseStream& out);

  /// Cancels the job `project`/`job_id` (jobs.cancel) as `account` (nullopt: the default).
  /// @returns the job's state after the request; BigQuery's errors as query errors (not_found,
  /// access_denied, needs_login, …).
  boost::asio::awaitable<QueryResult<api::JobCancelResult>> cancel_job(
      std::optional<std::string> account, std::string project, std::string job_id,
      std::optional<std::string> location, TokenCaller caller);

 private:
  struct Run;

  HttpClient& http_;
  TokenSource& tokens_;
  QueryRunnerOptions options_;
};

}  // namespace bqb
