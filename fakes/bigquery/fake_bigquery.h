#pragma once
// The fake BigQuery REST API v2 (queries only), as a pure function of (request, now), served by
// the same binary (bqbroker-emulator) as the OAuth fake. It checks what Google checks: a live
// access token of the fake OAuth server with a BigQuery scope, the JSON body's shape, the job's
// project and location. Queries are scripted (script.h); an unscripted one goes to the
// QueryExecutor when one is plugged in (executor.h: the emulator's SQLite), else it is an
// invalidQuery.
//
//   POST /bigquery/v2/projects/{p}/queries               jobs.query
//   POST /bigquery/v2/projects/{p}/jobs                  jobs.insert (query jobs)
//   GET  /bigquery/v2/projects/{p}/queries/{job}         jobs.getQueryResults
//   GET  /bigquery/v2/projects/{p}/jobs/{job}            jobs.get
//   POST /bigquery/v2/projects/{p}/jobs/{job}/cancel     jobs.cancel
//   GET  /bigquery/v2/projects/{p}/datasets/{d}/tables/{t}        tables.get
//   GET  /bigquery/v2/projects/{p}/datasets/{d}/tables/{t}/data   tabledata.list
// A query job's rows are also a table, as at BigQuery: an anonymous one in a hidden dataset
// (the job's configuration.query.destinationTable), which is how Go's client reads them.
//   /_fake/bigquery/…                                    the control API (control.cpp)
// Not thread-safe: the server calls it from one thread.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/bigquery/executor.h"
#include "fakes/bigquery/script.h"
#include "fakes/oauth/http_types.h"
#include "fakes/oauth/scopes.h"

namespace bqb::fakes::bigquery {

/// @returns the scopes of `access_token` when it is a live token, else nullopt.
using TokenScopes =
    std::function<std::optional<ScopeList>(std::string_view access_token, Clock::time_point now)>;

/// A table of a project: {dataset, table}.
struct TableName {
  std::string dataset;
  std::string table;
};

/// One job the fake created.
struct Job {
  std::string project;
  std::string job_id;
  std::string location;
  ScriptedResult result;
  int polls_left = 0;
  bool cancelled = false;
  std::string request_id;
  TableName destination;  // its anonymous result table (tables.cpp)
};

class FakeBigQuery {
 public:
  explicit FakeBigQuery(TokenScopes token_scopes);

  /// @returns whether `path` is one of this fake's (the REST API's or its control API's).
  static bool serves(std::string_view path);

  /// @returns the answer to `req`; never throws on bad input.
  FakeResponse handle(const FakeRequest& req, Clock::time_point now);

  /// Runs the queries nobody scripted on `executor` from now on (nullptr: none, the default).
  void set_executor(std::unique_ptr<QueryExecutor> executor) { executor_ = std::move(executor); }

  /// The REST call a path names: the method, the project, the job id (results, get, cancel),
  /// the table (table_get, table_data).
  enum class Op { query, insert, results, get, cancel, table_get, table_data, none };
  struct Route {
    Op op = Op::none;
    std::string project;
    std::string job_id;
    TableName table;
  };

 private:
  /// @returns the 401/403 refusing `req` (no live token, or none with a BigQuery scope that
  /// allows reading, or writing when `writes`), or nullopt when it may proceed.
  std::optional<FakeResponse> refuse_unauthorized(const FakeRequest& req, bool writes,
                                                  Clock::time_point now);
  /// getQueryResults, jobs.get or jobs.cancel of an existing job.
  FakeResponse job_call(const Route& route, const std::string& query_string);
  FakeResponse query(const FakeRequest& req, const std::string& project);
  /// Creates `job` for jobs.query's checked `body` (or, for a short JOB_CREATION_OPTIONAL
  /// query, answers without one) and @returns the first answer: not complete yet, the error, or
  /// the first page.
  FakeResponse start_query(Job job, const nlohmann::json& body, nlohmann::json& entry);
  // jobs_insert.cpp
  FakeResponse insert_job(const FakeRequest& req, const std::string& project);
  /// @returns the result for `query_text` (scripted, built in, or run by the executor: an
  /// executor's error becomes the result's error), or the answer refusing it (unrecognized,
  /// legacy/standard SQL mismatch). `config` holds useLegacySql, parameterMode, queryParameters
  /// as sent (jobs.query's body, jobs.insert's configuration.query).
  tl::expected<ScriptedResult, FakeResponse> resolve(const std::string& project,
                                                     const std::string& query_text,
                                                     const nlohmann::json& config);
  FakeResponse get_query_results(const std::string& query_string, Job& job);
  FakeResponse get_job(const Job& job);
  FakeResponse cancel(Job& job);
  FakeResponse control(const FakeRequest& req, const std::string& path);
  // tables.cpp
  /// tables.get or tabledata.list of `route`'s table.
  FakeResponse table_call(const Route& route, const std::string& query_string);
  /// A table's schema and rows (BigQuery's all-strings rows, TIMESTAMPs as int64 µs).
  struct TableContent {
    nlohmann::json schema;
    nlohmann::json rows;
    std::string location;
  };
  /// @returns the table `route` names: a finished job's anonymous result table (of that
  /// project), else a table the executor holds (any project, as its queries read them), else
  /// 404 notFound.
  tl::expected<TableContent, FakeResponse> find_table(const Route& route);
  /// Names the anonymous result table of the new job `key` and remembers it.
  void assign_destination(const std::string& key, Job& job);
  /// The complete-job answer: one page from `offset`; `first` for jobs.query's fields.
  nlohmann::json page(const Job& job, std::size_t offset, std::optional<std::int64_t> max_results,
                      bool int64_timestamps, bool first) const;
  static nlohmann::json initial_stats();
  void count(const char* name);
  const ScriptedResult* find_result(const std::string& query) const;
  /// The request's answer, before a `cut` fault applies to it.
  FakeResponse dispatch(const FakeRequest& req, Clock::time_point now);
  /// Takes one use of the query's first fault (after its `skip`). @returns its answer when it
  /// replaces the processing; a `cut` alone sets cut_answer_ instead.
  std::optional<FakeResponse> take_fault(const std::string& query);

  TokenScopes token_scopes_;
  std::unique_ptr<QueryExecutor> executor_;
  std::map<std::string, ScriptedResult> results_;             // by query text
  std::map<std::string, std::vector<ScriptedFault>> faults_;  // by query text, consumed
  std::map<std::string, Job> jobs_;                           // by "project:job_id"
  std::map<std::string, std::string> request_ids_;            // "project:requestId" → job key
  std::map<std::string, std::string> anonymous_tables_;       // "project:dataset.table" → job key
  int next_job_ = 1;
  bool cut_answer_ = false;  // the answer being built is to be cut mid-body (one request)
  nlohmann::json stats_;
};

}  // namespace bqb::fakes::bigquery
