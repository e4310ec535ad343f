#include "daemon/io/query_runner.h"

#include <strings.h>

#include <deque>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "daemon/io/api_query.h"
#include "tests/unit/io/metadata_test_support.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kRoot = "http://127.0.0.1:9/bigquery/v2";

/// BigQuery behind the HttpClient interface: answers are scripted in order; every request is
/// recorded. `on_request` runs as a request arrives (to change the client's state mid-query).
class ScriptedBigQuery final : public HttpClient {
 public:
  std::deque<Result<HttpResponse>> answers;
  std::vector<HttpRequest> requests;
  std::function<void(const HttpRequest&)> on_request;

  awaitable<Result<HttpResponse>> send(HttpRequest request) override {
    requests.push_back(request);
    if (on_request) on_request(request);
    if (answers.empty()) {
      ADD_FAILURE() << "unscripted request " << request.method << " " << request.url;
      co_return HttpResponse{500, {}, "{}"};
    }
    auto a = std::move(answers.front());
    answers.pop_front();
    co_return a;
  }

  void ok(json body) { answers.push_back(HttpResponse{200, {}, body.dump()}); }
  void error(int status, std::string_view reason, std::string_view message = "boom") {
    json e = {{"error",
               {{"code", status},
                {"message", message},
                {"errors", json::array({{{"reason", reason}, {"message", message}}})}}}};
    answers.push_back(HttpResponse{status, {}, e.dump()});
  }

  std::size_t count(std::string_view method, std::string_view fragment) const {
    std::size_t n = 0;
    for (const auto& r : requests) {
      if (r.method == method && r.url.find(fragment) != std::string::npos) ++n;
    }
    return n;
  }
};

/// A ResponseStream that records what the runner sends. `hold` makes every write wait until
/// release(); `refuse_writes_from` makes the N-th write (1-based) and later ones fail as if the
/// client had left; `gone` is what cancelled() reports.
class RecordingStream final : public http::ResponseStream {
 public:
  explicit RecordingStream(asio::any_io_executor ex) : gate_(ex) {}

  std::optional<http::Response> responded;
  std::optional<int> begun_status;
  std::string content_type;
  std::vector<std::string> writes;
  bool gone = false;
  bool hold = false;
  int pending_writes = 0;
  std::optional<std::size_t> refuse_writes_from;

  awaitable<bool> respond(http::Response response) override {
    EXPECT_FALSE(begun_status) << "respond() after begin()";
    EXPECT_FALSE(responded) << "respond() twice";
    responded = std::move(response);
    co_return !gone;
  }
  awaitable<bool> begin(int status, std::string_view type) override {
    EXPECT_FALSE(responded) << "begin() after respond()";
    EXPECT_FALSE(begun_status) << "begin() twice";
    begun_status = status;
    content_type = std::string(type);
    co_return !gone;
  }
  awaitable<bool> write(std::string data) override {
    EXPECT_TRUE(begun_status) << "write() before begin()";
    EXPECT_FALSE(data.empty());
    if (hold) {
      ++pending_writes;
      gate_.expires_at(asio::steady_timer::time_point::max());
      co_await gate_.async_wait(asio::as_tuple(asio::use_awaitable));
      --pending_writes;
    }
    writes.push_back(std::move(data));
    if (refuse_writes_from && writes.size() >= *refuse_writes_from) gone = true;
    co_return !gone;
  }
  bool cancelled() const override { return gone; }

  void release() { gate_.cancel(); }

  /// @returns every line written, parsed.
  std::vector<json> lines() const {
    std::vector<json> out;
    for (const auto& w : writes) {
      EXPECT_EQ(w.back(), '\n') << "a write ends mid-line";
      std::size_t at = 0;
      while (at < w.size()) {
        const auto nl = w.find('\n', at);
        out.push_back(json::parse(w.substr(at, nl - at)));
        at = nl + 1;
      }
    }
    return out;
  }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& l : lines()) out.push_back(l["type"]);
    return out;
  }
  json error_body() const { return responded ? json::parse(responded->body()) : json(); }

 private:
  asio::steady_timer gate_;
};

json schema_xs() {
  return {{"fields",
           {{{"name", "x"}, {"type", "INTEGER"}, {"mode", "NULLABLE"}},
            {{"name", "s"}, {"type", "STRING"}, {"mode", "NULLABLE"}}}}};
}
json row(std::string x, json s) { return {{"f", {{{"v", x}}, {{"v", s}}}}}; }
json job_ref(std::string id = "job_1") {
  return {{"projectId", "proj"}, {"jobId", id}, {"location", "US"}};
}
/// A complete page of `rows` with `token` (empty: the last page).
json complete_page(json rows, std::string token = "", bool first = true) {
  json p = {{"jobComplete", true},   {"jobReference", job_ref()},
            {"schema", schema_xs()}, {"totalRows", "3"},
            {"rows", rows},          {"totalBytesProcessed", "100"},
            {"cacheHit", false}};
  if (first) p["totalBytesBilled"] = "200";
  if (!token.empty()) p["pageToken"] = token;
  return p;
}
json incomplete() { return {{"jobComplete", false}, {"jobReference", job_ref()}}; }

class QueryRunnerTest : public ::testing::Test {
 protected:
  QueryRunnerTest() {
    options_.bigquery.api_root = std::string(kRoot);
    options_.bigquery.backoff = BackoffPolicy{1ms, 4ms, 2.0, 4, 10s};
    options_.bigquery.random = [] { return 0.5; };
  }

  QueryJobSpec spec(std::string sql = "SELECT x, s FROM t") {
    QueryJobSpec s;
    s.request.project = "proj";
    s.request.query = std::move(sql);
    s.caller = TokenCaller{1000, 42, "/usr/bin/bqbroker", "query"};
    return s;
  }

  /// Runs one query to its end (10 s at most) with a fresh runner.
  void run(QueryJobSpec s) {
    QueryRunner runner(http_, tokens_, options_);
    bool done = false;
    std::exception_ptr error;
    asio::co_spawn(io_, runner.run(std::move(s), stream_), [&](std::exception_ptr e) {
      error = e;
      done = true;
    });
    run_until([&] { return done; });
    ASSERT_TRUE(done) << "the query did not finish within 10 s";
    if (error) std::rethrow_exception(error);
  }

  bool run_until(const std::function<bool()>& cond) {
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!cond() && std::chrono::steady_clock::now() < deadline) io_.run_one_for(20ms);
    return cond();
  }

  json body_of(std::size_t i) const { return json::parse(http_.requests.at(i).body); }
  std::optional<std::string> header(std::size_t i, std::string_view name) const {
    for (const auto& [k, v] : http_.requests.at(i).headers) {
      if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) return v;
    }
    return std::nullopt;
  }

  asio::io_context io_;
  ScriptedBigQuery http_;
  test::FakeTokenSource tokens_;
  RecordingStream stream_{io_.get_executor()};
  QueryRunnerOptions options_;
};

TEST_F(QueryRunnerTest, PagesThroughTheResultAndStreamsTypedRows) {
  http_.ok(complete_page({row("1", "a"), row("9223372036854775807", nullptr)}, "tok2"));
  http_.ok(complete_page({row("3", "c")}, "", false));
  run(spec());

  ASSERT_FALSE(stream_.responded);
  EXPECT_EQ(stream_.begun_status, 200);
  EXPECT_EQ(stream_.content_type, "application/x-ndjson");
  const auto lines = stream_.lines();
  ASSERT_EQ(stream_.types(),
            (std::vector<std::string>{"job", "schema", "row", "row", "row", "end"}));
  EXPECT_EQ(lines[0],
            json({{"type", "job"}, {"project", "proj"}, {"job_id", "job_1"}, {"location", "US"}}));
  EXPECT_EQ(lines[1]["fields"][0],
            json({{"name", "x"}, {"type", "INTEGER"}, {"mode", "NULLABLE"}}));
  EXPECT_EQ(lines[2]["row"], json({{"x", "1"}, {"s", "a"}}));
  EXPECT_EQ(lines[3]["row"], json({{"x", "9223372036854775807"}, {"s", nullptr}}));
  EXPECT_EQ(lines[4]["row"], json({{"x", "3"}, {"s", "c"}}));
  const json& end = lines[5];
  EXPECT_EQ(end["total_rows"], 3);
  EXPECT_EQ(end["rows"], 3);
  EXPECT_EQ(end["bytes_processed"], 100);
  EXPECT_EQ(end["bytes_billed"], 200);
  EXPECT_EQ(end["truncated"], false);
  EXPECT_EQ(end["dry_run"], false);
  EXPECT_TRUE(end["elapsed_ms"].is_number_integer());
  // Column order is the schema's, not alphabetical.
  EXPECT_LT(stream_.writes[1].find("\"x\""), stream_.writes[1].find("\"s\""));

  ASSERT_EQ(http_.requests.size(), 2u);
  const auto& q = http_.requests[0];
  EXPECT_EQ(q.method, "POST");
  EXPECT_EQ(q.url, std::string(kRoot) + "/projects/proj/queries");
  EXPECT_EQ(header(0, "Authorization"), "Bearer ya29.fake-1");
  EXPECT_EQ(header(0, "Content-Type"), "application/json");
  EXPECT_FALSE(header(0, "x-goog-user-project"));
  const json body = body_of(0);
  EXPECT_EQ(body["query"], "SELECT x, s FROM t");
  EXPECT_EQ(body["useLegacySql"], false);
  EXPECT_EQ(body["jobCreationMode"], "JOB_CREATION_OPTIONAL");
  EXPECT_EQ(body["formatOptions"]["useInt64Timestamp"], true);
  EXPECT_LE(body["timeoutMs"].get<int>(), 10000);
  EXPECT_TRUE(std::regex_match(body["requestId"].get<std::string>(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                          "[0-9a-f]{12}")));
  const auto& page2 = http_.requests[1];
  EXPECT_EQ(page2.method, "GET");
  EXPECT_EQ(page2.url.rfind(std::string(kRoot) + "/projects/proj/queries/job_1?", 0), 0u)
      << page2.url;
  EXPECT_NE(page2.url.find("location=US"), std::string::npos);
  EXPECT_NE(page2.url.find("pageToken=tok2"), std::string::npos);
  EXPECT_NE(page2.url.find("formatOptions.useInt64Timestamp=true"), std::string::npos);
  EXPECT_EQ(page2.url.find("timeoutMs"), std::string::npos) << "a complete job needs no long poll";
  ASSERT_EQ(tokens_.requests.size(), 1u) << "one token for the whole query";
  EXPECT_EQ(tokens_.requests[0].caller.via, "query");
  EXPECT_FALSE(tokens_.requests[0].scopes);
}

TEST_F(QueryRunnerTest, WaitsForTheJobWithProgressLines) {
  http_.ok(incomplete());
  http_.ok(incomplete());
  http_.ok(complete_page({row("1", "a")}, "", false));
  run(spec());
  EXPECT_EQ(stream_.types(),
            (std::vector<std::string>{"job", "progress", "progress", "schema", "row", "end"}));
  EXPECT_EQ(stream_.lines()[1]["state"], "RUNNING");
  ASSERT_EQ(http_.requests.size(), 3u);
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(http_.requests[i].method, "GET");
    EXPECT_NE(http_.requests[i].url.find("timeoutMs=10000"), std::string::npos)
        << http_.requests[i].url;
    EXPECT_EQ(http_.requests[i].url.find("pageToken"), std::string::npos);
  }
  // The job line and each progress line reach the client at once, not with the rows:
  // job, progress, progress, the page (schema and row), end.
  EXPECT_EQ(stream_.writes.size(), 5u);
}

TEST_F(QueryRunnerTest, RetriesTransientErrorsWithTheSameRequestId) {
  http_.error(503, "backendError");
  http_.answers.push_back(HttpResponse{502, {}, "<html>bad gateway</html>"});
  http_.answers.push_back(tl::unexpected(Error{Errc::upstream_unavailable, "reset", ""}));
  http_.ok(complete_page({row("1", "a")}));
  run(spec());
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "schema", "row", "end"}));
  ASSERT_EQ(http_.requests.size(), 4u);
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(http_.requests[i].body, http_.requests[0].body) << "same body, same requestId";
  }
}

TEST_F(QueryRunnerTest, TransientErrorsAreBoundedAndReported) {
  for (int i = 0; i < 4; ++i) http_.error(500, "internalError");
  run(spec());
  EXPECT_EQ(http_.requests.size(), 4u) << "max_attempts";
  ASSERT_TRUE(stream_.responded);
  EXPECT_EQ(stream_.responded->result_int(), http_status(Errc::backend_error));
  const json e = stream_.error_body()["error"];
  EXPECT_EQ(e["code"], "backend_error");
  EXPECT_EQ(e["reason"], "internalError");
}

TEST_F(QueryRunnerTest, A401RefreshesTheTokenOnceAndRetries) {
  http_.error(401, "authError", "Request had invalid authentication credentials.");
  http_.ok(complete_page({row("1", "a")}));
  run(spec());
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "schema", "row", "end"}));
  ASSERT_EQ(tokens_.requests.size(), 2u);
  EXPECT_FALSE(tokens_.requests[0].refused_token);
  ASSERT_TRUE(tokens_.requests[1].refused_token);
  EXPECT_EQ(tokens_.requests[1].refused_token->reveal(), "ya29.fake-1");
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(header(1, "Authorization"), "Bearer ya29.fake-2");
  EXPECT_EQ(http_.requests[1].body, http_.requests[0].body);
}

TEST_F(QueryRunnerTest, ASecond401IsNeedsLogin) {
  http_.error(401, "authError");
  http_.error(401, "authError");
  run(spec());
  EXPECT_EQ(tokens_.requests.size(), 2u);
  EXPECT_EQ(http_.requests.size(), 2u);
  ASSERT_TRUE(stream_.responded);
  EXPECT_EQ(stream_.responded->result_int(), 401);
  EXPECT_EQ(stream_.error_body()["error"]["code"], "needs_login");
}

TEST_F(QueryRunnerTest, InvalidQueryIsAnErrorResponseWithThePosition) {
  http_.error(400, "invalidQuery", "Syntax error: Unexpected keyword FROM at [1:8]");
  run(spec("SELECT FROM"));
  EXPECT_EQ(http_.requests.size(), 1u) << "never retried";
  EXPECT_FALSE(stream_.begun_status);
  ASSERT_TRUE(stream_.responded);
  EXPECT_EQ(stream_.responded->result_int(), 400);
  const json e = stream_.error_body()["error"];
  EXPECT_EQ(e["code"], "invalid_query");
  EXPECT_EQ(e["reason"], "invalidQuery");
  EXPECT_EQ(e["line"], 1);
  EXPECT_EQ(e["column"], 8);
  EXPECT_NE(e["message"].get<std::string>().find("Unexpected keyword FROM"), std::string::npos);
}

TEST_F(QueryRunnerTest, InsufficientScopeSaysWhichLoginFixesIt) {
  json e = {{"error",
             {{"code", 403},
              {"message", "Request had insufficient authentication scopes."},
              {"status", "PERMISSION_DENIED"},
              {"errors", json::array({{{"reason", "insufficientPermissions"}}})}}}};
  http_.answers.push_back(HttpResponse{403, {}, e.dump()});
  run(spec());
  const json body = stream_.error_body()["error"];
  EXPECT_EQ(body["code"], "scope_not_granted");
  EXPECT_NE(body["hint"].get<std::string>().find("bqbroker login --scope bigquery"),
            std::string::npos);
}

TEST_F(QueryRunnerTest, AJobErrorAfterRowsIsAnErrorLine) {
  http_.ok(complete_page({row("1", "a")}, "tok2"));
  http_.error(403, "responseTooLarge", "Response too large to return.");
  run(spec());
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "schema", "row", "error"}));
  const json e = stream_.lines().back()["error"];
  EXPECT_EQ(e["reason"], "responseTooLarge");
  EXPECT_NE(e["message"].get<std::string>().find("Response too large"), std::string::npos);
  EXPECT_EQ(http_.count("POST", "/cancel"), 0u) << "a complete job has nothing to cancel";
}

TEST_F(QueryRunnerTest, APollThatFailsCancelsTheRunningJob) {
  http_.ok(incomplete());
  http_.error(400, "invalidQuery", "Division by zero at [2:3]");
  http_.ok({{"kind", "bigquery#jobCancelResponse"}});
  run(spec());
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "progress", "error"}));
  EXPECT_EQ(stream_.lines().back()["error"]["line"], 2);
  ASSERT_EQ(http_.requests.size(), 3u);
  EXPECT_EQ(http_.requests[2].method, "POST");
  EXPECT_EQ(http_.requests[2].url,
            std::string(kRoot) + "/projects/proj/jobs/job_1/cancel?location=US");
}

TEST_F(QueryRunnerTest, MaxRowsTruncatesAndSaysSo) {
  http_.ok(complete_page({row("1", "a"), row("2", "b"), row("3", "c")}, "tok2"));
  auto s = spec();
  s.max_rows = 2;
  run(s);
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "schema", "row", "row", "end"}));
  const json end = stream_.lines().back();
  EXPECT_EQ(end["rows"], 2);
  EXPECT_EQ(end["total_rows"], 3);
  EXPECT_EQ(end["truncated"], true);
  EXPECT_EQ(http_.requests.size(), 1u) << "no further page asked for";
  EXPECT_EQ(body_of(0)["maxResults"], 2);
  EXPECT_EQ(http_.count("POST", "/cancel"), 0u);
}

TEST_F(QueryRunnerTest, MaxRowsReachedAtAPageEndWithMorePagesIsTruncated) {
  http_.ok(complete_page({row("1", "a"), row("2", "b")}, "tok2"));
  auto s = spec();
  s.max_rows = 2;
  run(s);
  EXPECT_EQ(stream_.lines().back()["truncated"], true);
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(QueryRunnerTest, MaxRowsEqualToTheResultIsNotTruncated) {
  http_.ok(complete_page({row("1", "a"), row("2", "b"), row("3", "c")}));
  auto s = spec();
  s.max_rows = 3;
  run(s);
  EXPECT_EQ(stream_.lines().back()["rows"], 3);
  EXPECT_EQ(stream_.lines().back()["truncated"], false);
}

TEST_F(QueryRunnerTest, DryRunGivesSchemaAndEstimateWithoutAJob) {
  http_.ok({{"jobComplete", true},
            {"jobReference", {{"projectId", "proj"}, {"location", "US"}}},
            {"schema", schema_xs()},
            {"totalBytesProcessed", "123456"}});
  auto s = spec();
  s.request.dry_run = true;
  run(s);
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"schema", "end"}));
  const json end = stream_.lines().back();
  EXPECT_EQ(end["dry_run"], true);
  EXPECT_EQ(end["bytes_processed"], 123456);
  EXPECT_EQ(end["rows"], 0);
  const json body = body_of(0);
  EXPECT_EQ(body["dryRun"], true);
  EXPECT_FALSE(body.contains("jobCreationMode"));
}

TEST_F(QueryRunnerTest, AJoblessQueryNamesItsQueryId) {
  json page = complete_page({row("1", "a")});
  page.erase("jobReference");
  page["queryId"] = "q-123";
  page["location"] = "EU";
  http_.ok(page);
  run(spec());
  EXPECT_EQ(
      stream_.lines()[0],
      json({{"type", "job"}, {"project", "proj"}, {"query_id", "q-123"}, {"location", "EU"}}));
  EXPECT_EQ(stream_.types().back(), "end");
}

TEST_F(QueryRunnerTest, AClientThatLeavesWhileTheJobRunsGetsItCancelled) {
  http_.ok(incomplete());
  http_.ok({{"kind", "bigquery#jobCancelResponse"}});
  stream_.refuse_writes_from = 2;  // the first progress line finds the client gone
  run(spec());
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(http_.requests[1].method, "POST");
  EXPECT_EQ(http_.requests[1].url,
            std::string(kRoot) + "/projects/proj/jobs/job_1/cancel?location=US");
}

TEST_F(QueryRunnerTest, ADisconnectNoticedDuringAPollCancelsTheJob) {
  http_.ok(incomplete());
  http_.ok(incomplete());
  http_.ok({{"kind", "bigquery#jobCancelResponse"}});
  http_.on_request = [&](const HttpRequest& r) {
    if (r.method == "GET") stream_.gone = true;
  };
  run(spec());
  ASSERT_EQ(http_.requests.size(), 3u);
  EXPECT_NE(http_.requests[2].url.find("/jobs/job_1/cancel"), std::string::npos);
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "progress"}));
}

TEST_F(QueryRunnerTest, ASlowReaderHoldsBackTheNextPage) {
  http_.ok(complete_page({row("1", "a")}, "tok2"));
  http_.ok(complete_page({row("2", "b")}, "", false));
  stream_.hold = true;
  QueryRunner runner(http_, tokens_, options_);
  bool done = false;
  asio::co_spawn(io_, runner.run(spec(), stream_), [&](std::exception_ptr) { done = true; });
  // The job line waits for the reader.
  ASSERT_TRUE(run_until([&] { return stream_.pending_writes == 1; }));
  stream_.release();
  // The first page waits for the reader; the second page must not be asked for meanwhile.
  ASSERT_TRUE(run_until([&] { return stream_.pending_writes == 1 && stream_.writes.size() == 1; }));
  EXPECT_EQ(http_.requests.size(), 1u);
  stream_.release();
  ASSERT_TRUE(run_until([&] { return http_.requests.size() == 2 && stream_.pending_writes == 1; }));
  stream_.hold = false;
  stream_.release();
  ASSERT_TRUE(run_until([&] { return done; }));
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "schema", "row", "row", "end"}));
}

TEST_F(QueryRunnerTest, RowsAreBatchedIntoWritesOfAboutBatchBytes) {
  json rows = json::array();
  for (int i = 0; i < 50; ++i) rows.push_back(row(std::to_string(i), std::string(100, 'x')));
  http_.ok(complete_page(rows));
  options_.batch_bytes = 1000;
  run(spec());
  EXPECT_EQ(stream_.lines().size(), 1u + 1 + 50 + 1);
  // ~130 bytes per row line: several writes, each below batch_bytes plus one line.
  EXPECT_GT(stream_.writes.size(), 5u);
  for (const auto& w : stream_.writes) EXPECT_LT(w.size(), 1000u + 200);
}

TEST_F(QueryRunnerTest, QuotaProjectIsSentAsUserProject) {
  options_.bigquery.quota_project = "billing-proj";
  http_.ok(complete_page({row("1", "a")}, "tok2"));
  http_.ok(complete_page({row("2", "b")}, "", false));
  run(spec());
  EXPECT_EQ(header(0, "x-goog-user-project"), "billing-proj");
  EXPECT_EQ(header(1, "x-goog-user-project"), "billing-proj");
}

TEST_F(QueryRunnerTest, ATokenErrorIsAnsweredBeforeAnyRequest) {
  tokens_.error = Error{Errc::needs_login, "no account is logged in", "run `bqbroker login`"};
  run(spec());
  EXPECT_TRUE(http_.requests.empty());
  ASSERT_TRUE(stream_.responded);
  EXPECT_EQ(stream_.responded->result_int(), 401);
  EXPECT_EQ(stream_.error_body()["error"]["hint"], "run `bqbroker login`");
}

TEST_F(QueryRunnerTest, MalformedRowsFailTheQueryNamingTheColumn) {
  http_.ok(complete_page({row("not-a-number", "a")}));
  run(spec());
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "schema", "error"}));
  const std::string message = stream_.lines().back()["error"]["message"];
  EXPECT_NE(message.find("x"), std::string::npos) << message;
  EXPECT_EQ(message.find("not-a-number"), std::string::npos) << "values stay out of messages";
}

TEST_F(QueryRunnerTest, CancelJobReportsTheStateAfterTheRequest) {
  http_.ok({{"kind", "bigquery#jobCancelResponse"},
            {"job", {{"jobReference", job_ref("job_9")}, {"status", {{"state", "RUNNING"}}}}}});
  QueryRunner runner(http_, tokens_, options_);
  std::optional<QueryResult<api::JobCancelResult>> out;
  asio::co_spawn(io_, runner.cancel_job(std::nullopt, "proj", "job_9", std::nullopt, {}),
                 [&](std::exception_ptr, QueryResult<api::JobCancelResult> r) { out = r; });
  ASSERT_TRUE(run_until([&] { return out.has_value(); }));
  ASSERT_TRUE(*out) << (*out).error().error.message;
  EXPECT_EQ((*out)->state, "RUNNING");
  EXPECT_EQ((*out)->location, "US");
  EXPECT_EQ(http_.requests[0].url, std::string(kRoot) + "/projects/proj/jobs/job_9/cancel");

  http_.error(404, "notFound", "Not found: Job proj:job_x");
  out.reset();
  asio::co_spawn(io_, runner.cancel_job(std::nullopt, "proj", "job_x", "EU", {}),
                 [&](std::exception_ptr, QueryResult<api::JobCancelResult> r) { out = r; });
  ASSERT_TRUE(run_until([&] { return out.has_value(); }));
  ASSERT_FALSE(*out);
  EXPECT_EQ((*out).error().error.code, Errc::not_found);
  EXPECT_EQ((*out).error().reason, "notFound");
}

TEST(ToBqRequest, CarriesEveryFieldAndChecksParameters) {
  api::QueryRequest r;
  r.query = "SELECT @n";
  r.parameters = json::array({{{"name", "n"}, {"type", "INT64"}, {"value", 5}}});
  r.default_dataset = "ds";
  r.location = "EU";
  r.page_size = 10;
  r.maximum_bytes_billed = 1000;
  r.labels = {{"a", "b"}};
  auto q = to_bq_request(r, "proj");
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->project, "proj");
  ASSERT_EQ(q->parameters.size(), 1u);
  EXPECT_EQ(q->parameters[0].name, "n");
  ASSERT_TRUE(q->default_dataset);
  EXPECT_EQ(q->default_dataset->project_id, "proj");
  EXPECT_EQ(q->default_dataset->dataset_id, "ds");
  EXPECT_EQ(q->location, "EU");
  EXPECT_EQ(q->maximum_bytes_billed, 1000);

  r.parameters = json::array({{{"name", "n"}, {"type", "INT64"}, {"value", "x"}}});
  auto bad = to_bq_request(r, "proj");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::bad_request);
  EXPECT_NE(bad.error().message.find("parameters[0]"), std::string::npos) << bad.error().message;

  r.parameters = json::array(
      {{{"name", "n"}, {"type", "INT64"}, {"value", 1}}, {{"type", "INT64"}, {"value", 2}}});
  auto mixed = to_bq_request(r, "proj");
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().message.find("mix"), std::string::npos) << mixed.error().message;

  r.parameters = json::array();
  r.default_dataset = "a.b.c";
  EXPECT_FALSE(to_bq_request(r, "proj"));
}

}  // namespace
}  // namespace bqb
