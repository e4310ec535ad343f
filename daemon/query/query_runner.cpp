#include "daemon/query/query_runner.h"
#include "proto/json_text.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "daemon/base/token_fingerprint.h"
#include "daemon/base/uuid.h"
#include "daemon/query/bq_response.h"
#include "daemon/query/bq_value.h"
#include "daemon/query/ndjson_sink.h"

#include "daemon/base/gcc_coroutine_frames.h"  // silences a GCC 12 false positive

namespace bqb {

namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

constexpr milliseconds kMaxPollTimeout{10'000};

api::QueryError plain(Error e) {
  return api::QueryError{std::move(e), "", std::nullopt, std::nullopt};
}

/// @returns j[name] when `j` is an object that has it, else nullptr.
const nlohmann::json* member(const nlohmann::json* j, std::string_view name) {
  if (j == nullptr || !j->is_object()) return nullptr;
  auto it = j->find(name);
  return it == j->end() ? nullptr : &*it;
}
const nlohmann::json* member(const nlohmann::json& j, std::string_view name) {
  return member(&j, name);
}

api::QueryError upstream(std::string message) {
  return plain(Error{Errc::upstream_error, std::move(message), ""});
}

}  // namespace

/// The state of one run: what it knows of the job, what it sent, and how it ended.
struct QueryRunner::Run {
  Run(QueryRunner& runner, QueryJobSpec s, http::ResponseStream& o)
      : options(runner.options_),
        spec(std::move(s)),
        out(o),
        sink(o, runner.options_.batch_bytes),
        caller(runner.http_, runner.tokens_, runner.options_.bigquery,
               TokenRequest{spec.account, std::nullopt, std::chrono::seconds(0), spec.caller,
                            std::nullopt}) {}

  enum class Outcome { done, failed, abandoned };

  const QueryRunnerOptions& options;
  QueryJobSpec spec;
  http::ResponseStream& out;
  NdjsonSink sink;
  BqCaller caller;
  const steady_clock::time_point started = steady_clock::now();

  std::optional<bq::JobReference> job;  // set once BigQuery named a job
  std::string location;
  bool complete = false;
  api::QueryEnd end;
  std::optional<api::QueryError> error;

  std::int64_t elapsed_ms() const {
    return std::chrono::duration_cast<milliseconds>(steady_clock::now() - started).count();
  }

  bool client_gone() const { return sink.gone() || out.cancelled(); }

  /// @returns maxResults for the next page: the request's page size, and no more than the rows
  /// max_rows still lets through (at least 1: 0 would mean "the server's default").
  std::optional<std::int64_t> page_limit() const {
    std::optional<std::int64_t> limit = spec.request.page_size;
    if (spec.max_rows) {
      const std::int64_t left = std::max<std::int64_t>(1, *spec.max_rows - end.rows);
      limit = limit ? std::min(*limit, left) : left;
    }
    return limit;
  }

  awaitable<QueryResult<bq::QueryPage>> start() {
    bq::QueryRequest request = spec.request;
    auto id = options.new_request_id ? options.new_request_id() : random_uuid();
    if (!id) co_return tl::unexpected(plain(id.error()));
    request.request_id = std::move(*id);
    request.job_creation_optional = !request.dry_run;
    request.page_size = page_limit();
    request.timeout_ms = std::min<std::int64_t>(
        request.timeout_ms.value_or(options.poll_timeout.count()), options.poll_timeout.count());
    auto body = bq::query_request_body(request);
    if (!body) co_return tl::unexpected(plain(body.error()));
    const std::string target = bq::queries_target(request.project);
    std::string text = json_text(*body);
    const milliseconds timeout = options.http_timeout + milliseconds(*request.timeout_ms);
    auto answer =
        co_await caller.call("POST", target, std::move(text), "BigQuery jobs.query", timeout);
    if (!answer) co_return tl::unexpected(std::move(answer).error());
    co_return to_query_result(bq::parse_query_page(*answer, "the jobs.query answer"));
  }

  awaitable<QueryResult<bq::QueryPage>> results(std::optional<std::string> page_token,
                                                bool waiting) {
    bq::ResultsPageRequest r;
    r.project = job->project_id;
    r.job_id = job->job_id;
    if (!location.empty()) r.location = location;
    r.page_token = std::move(page_token);
    r.max_results = page_limit();
    if (waiting) r.timeout_ms = options.poll_timeout.count();
    const std::string where = fmt::format("the getQueryResults answer for job {}", job->job_id);
    const std::string target = bq::get_query_results_target(r);
    const milliseconds timeout = options.http_timeout + options.poll_timeout;
    auto answer =
        co_await caller.call("GET", target, std::string(), "BigQuery getQueryResults", timeout);
    if (!answer) co_return tl::unexpected(std::move(answer).error());
    co_return to_query_result(bq::parse_query_page(*answer, where));
  }

  static QueryResult<bq::QueryPage> to_query_result(Result<bq::QueryPage> r) {
    if (!r) return tl::unexpected(plain(std::move(r).error()));
    return std::move(*r);
  }

  /// Notes what `page` says about the job, for the job line, the polls and the end line.
  void note(const bq::QueryPage& page) {
    if (page.job && !job) job = page.job;
    if (!page.location.empty()) location = page.location;
    if (job && !job->location.empty()) location = job->location;
    complete = page.job_complete;
    if (!complete) return;
    if (page.total_rows) end.total_rows = static_cast<std::int64_t>(*page.total_rows);
    if (page.total_bytes_processed) end.bytes_processed = *page.total_bytes_processed;
    if (page.total_bytes_billed) end.bytes_billed = *page.total_bytes_billed;
    if (page.num_dml_affected_rows) end.num_dml_affected_rows = page.num_dml_affected_rows;
    end.cache_hit = page.cache_hit;
  }

  // Every co_await below is a statement of its own with an operand free of temporaries: GCC 12
  // destroys temporaries of a co_await inside a condition or `||` twice (heap corruption).

  /// Writes `line` and everything collected before it now. @returns false when the client is gone.
  awaitable<bool> send_now(std::string line) {
    const bool added = co_await sink.add(std::move(line));
    if (!added) co_return false;
    const bool flushed = co_await sink.flush();
    co_return flushed;
  }

  /// Answers `e` (as the response, or as the last line) and remembers it for the log line.
  awaitable<void> report(api::QueryError e) {
    error = std::move(e);
    co_await sink.fail(*error);
  }

  /// Runs the query to its end line: begin(), wait_until_complete(), stream_rows().
  awaitable<Outcome> execute() {
    bq::QueryPage page;
    const std::optional<Outcome> begun = co_await begin(page);
    if (begun) co_return *begun;
    const std::optional<Outcome> waited = co_await wait_until_complete(page);
    if (waited) co_return *waited;
    const Outcome streamed = co_await stream_rows(page);
    co_return streamed;
  }

  /// Authenticates, starts the query (jobs.query) into `page` and sends the job line when
  /// BigQuery named a job or a query. @returns the outcome when the run ends here, else nullopt.
  awaitable<std::optional<Outcome>> begin(bq::QueryPage& page) {
    auto token = co_await caller.authenticate();
    if (!token) {
      co_await report(std::move(token).error());
      co_return Outcome::failed;
    }
    auto first = co_await start();
    if (!first) {
      co_await report(std::move(first).error());
      co_return Outcome::failed;
    }
    page = std::move(*first);
    note(page);
    if (spec.request.dry_run || (!job && page.query_id.empty())) co_return std::nullopt;
    api::QueryJob line{spec.request.project, std::nullopt, std::nullopt, location};
    if (job) {
      line.project = job->project_id;
      line.job_id = job->job_id;
    } else {
      line.query_id = page.query_id;
    }
    std::string text = api::job_line(line);
    const bool sent = co_await send_now(std::move(text));
    if (!sent) co_return Outcome::abandoned;
    co_return std::nullopt;
  }

  /// Polls getQueryResults into `page` until the job is complete, sending a progress line before
  /// each poll. @returns the outcome when the run ends here, else nullopt.
  awaitable<std::optional<Outcome>> wait_until_complete(bq::QueryPage& page) {
    while (!page.job_complete) {
      if (!job) {
        api::QueryError e =
            upstream("BigQuery jobs.query answered jobComplete=false without a jobReference");
        co_await report(std::move(e));
        co_return Outcome::failed;
      }
      if (client_gone()) co_return Outcome::abandoned;
      std::string progress = api::progress_line(api::QueryProgress{elapsed_ms(), "RUNNING"});
      const bool sent = co_await send_now(std::move(progress));
      if (!sent) co_return Outcome::abandoned;
      auto next = co_await results(std::nullopt, true);
      if (!next) {
        co_await report(std::move(next).error());
        co_return Outcome::failed;
      }
      page = std::move(*next);
      note(page);
    }
    co_return std::nullopt;
  }

  /// Sends the schema line, the rows of the complete job's `page` and of the pages after it (up
  /// to max_rows), then the end line.
  awaitable<Outcome> stream_rows(bq::QueryPage& page) {
    const bq::Schema schema = page.schema.value_or(bq::Schema{});
    std::string schema_text = api::schema_line(bq::schema_to_json(schema));
    const bool schema_added = co_await sink.add(std::move(schema_text));
    if (!schema_added) co_return Outcome::abandoned;
    for (;;) {
      const std::optional<Outcome> added = co_await add_rows(schema, page);
      if (added) co_return *added;
      // The client takes this page before the next one is asked for: back-pressure.
      const bool flushed = co_await sink.flush();
      if (!flushed) co_return Outcome::abandoned;
      if (end.truncated || page.page_token.empty()) break;
      if (!job) {
        api::QueryError e =
            upstream("BigQuery answered a pageToken for a query that has no job to page through");
        co_await report(std::move(e));
        co_return Outcome::failed;
      }
      if (client_gone()) co_return Outcome::abandoned;
      auto next = co_await results(page.page_token, false);
      if (!next) {
        co_await report(std::move(next).error());
        co_return Outcome::failed;
      }
      page = std::move(*next);
    }
    end.dry_run = spec.request.dry_run;
    end.elapsed_ms = elapsed_ms();
    std::string text = api::end_line(end);
    const bool sent = co_await send_now(std::move(text));
    co_return sent ? Outcome::done : Outcome::abandoned;
  }

  /// Adds the rows of `page` to the sink, converted by `schema`, until max_rows; marks the end
  /// truncated when max_rows cut this page or the pages after it.
  /// @returns the outcome when the run ends here, else nullopt.
  awaitable<std::optional<Outcome>> add_rows(const bq::Schema& schema, const bq::QueryPage& page) {
    for (const auto& raw : page.rows) {
      if (spec.max_rows && end.rows >= *spec.max_rows) {
        end.truncated = true;
        break;
      }
      auto row = bq::convert_row(schema, raw, fmt::format("row {} of the result", end.rows + 1));
      if (!row) {
        api::QueryError e = plain(row.error());
        co_await report(std::move(e));
        co_return Outcome::failed;
      }
      std::string text = api::row_line(*row);
      const bool added = co_await sink.add(std::move(text));
      if (!added) co_return Outcome::abandoned;
      ++end.rows;
    }
    if (!end.truncated && spec.max_rows && end.rows >= *spec.max_rows && !page.page_token.empty()) {
      end.truncated = true;
    }
    co_return std::nullopt;
  }

  /// Cancels the job nobody will read: a running one, or any job once its client left before
  /// the end (`| head` cancels; for a job already DONE BigQuery's cancel
  /// changes nothing and costs one call). Best effort, not retried.
  awaitable<void> cancel_unread(bool client_left) {
    if (!job || (complete && !client_left)) co_return;
    const std::string target = bq::cancel_target(
        job->project_id, job->job_id, location.empty() ? std::nullopt : std::optional(location));
    auto r = co_await caller.call("POST", target, std::string(), "BigQuery jobs.cancel",
                                  options.cancel_timeout, false);
    if (r) {
      spdlog::info("query job {} cancelled", job->job_id);
    } else {
      spdlog::warn("could not cancel query job {}: {}", job->job_id, r.error().error.message);
    }
  }

  void log(Outcome outcome) const {
    const std::string_view what = outcome == Outcome::done     ? "done"
                                  : outcome == Outcome::failed ? "failed"
                                                               : "abandoned by the client";
    // The SQL may hold the user's data: its length and a fingerprint identify it well enough.
    spdlog::info(
        "query {}: account={} project={} job={} rows={} bytes_processed={} elapsed_ms={} "
        "sql_length={} sql=sha256:{}{}{}",
        what, caller.account().empty() ? "?" : caller.account(), spec.request.project,
        job ? job->job_id : "-", end.rows, end.bytes_processed, elapsed_ms(),
        spec.request.query.size(), token_fingerprint(Secret(spec.request.query)),
        spec.request.dry_run ? " dry_run" : "",
        error ? fmt::format(" error={} ({})", to_string(error->error.code), error->reason) : "");
  }
};

QueryRunner::QueryRunner(HttpClient& http, TokenSource& tokens, QueryRunnerOptions options)
    : http_(http), tokens_(tokens), options_(std::move(options)) {
  options_.poll_timeout = std::clamp(options_.poll_timeout, milliseconds(1), kMaxPollTimeout);
}

awaitable<void> QueryRunner::run(QueryJobSpec spec, http::ResponseStream& out) {
  Run run(*this, std::move(spec), out);
  const Run::Outcome outcome = co_await run.execute();
  if (outcome != Run::Outcome::done) {
    const bool client_left = outcome == Run::Outcome::abandoned;
    co_await run.cancel_unread(client_left);
  }
  run.log(outcome);
}

awaitable<QueryResult<api::JobCancelResult>> QueryRunner::cancel_job(
    std::optional<std::string> account, std::string project, std::string job_id,
    std::optional<std::string> location, TokenCaller caller) {
  BqCaller bq(http_, tokens_, options_.bigquery,
              TokenRequest{std::move(account), std::nullopt, std::chrono::seconds(0),
                           std::move(caller), std::nullopt});
  const std::string target = bq::cancel_target(project, job_id, location);
  auto answer = co_await bq.call("POST", target, std::string(), "BigQuery jobs.cancel",
                                 options_.http_timeout);
  if (!answer) co_return tl::unexpected(std::move(answer).error());
  api::JobCancelResult out{project, job_id, location.value_or(""), ""};
  // {"kind":"bigquery#jobCancelResponse","job":{"jobReference":{…},"status":{"state":…}}}
  const auto j = nlohmann::json::parse(*answer, nullptr, false);
  const auto* job = member(j, "job");
  if (const auto* ref = member(job, "jobReference")) {
    if (const auto* l = member(ref, "location"); l && l->is_string() && !l->empty()) {
      out.location = l->get<std::string>();
    }
  }
  if (const auto* state = member(member(job, "status"), "state"); state && state->is_string()) {
    out.state = state->get<std::string>();
  }
  if (out.state.empty()) {
    co_return tl::unexpected(upstream(
        fmt::format("BigQuery jobs.cancel for job {} answered without the job's state", job_id)));
  }
  spdlog::info("query job {} in project {}: cancel requested by the client (state {})", job_id,
               project, out.state);
  co_return out;
}

}  // namespace bqb
