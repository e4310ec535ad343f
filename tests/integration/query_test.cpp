// POST /v1/query and DELETE /v1/jobs with the real bqbrokerd and the fake's BigQuery: typed
// rows streamed as NDJSON over several pages after incomplete polls, retries with the same
// requestId, one token refresh after a 401, errors before and after the first line, max_rows,
// dry runs, parameters, the quota project, BIGQUERY_EMULATOR_HOST, cancellation when the client
// leaves or asks, and a result much larger than the daemon's memory use. Every test checks that
// no token the fake issued reached the daemon's log.

#include <poll.h>
#include <sys/socket.h>

#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;

constexpr std::string_view kAlice = "alice@example.com";
constexpr std::string_view kProject = "proj-1";

/// The lines of an NDJSON body, parsed.
std::vector<json> lines_of(const std::string& body) {
  std::vector<json> out;
  std::size_t start = 0;
  while (start < body.size()) {
    auto end = body.find('\n', start);
    EXPECT_NE(end, std::string::npos) << "the stream's last line has no newline";
    if (end == std::string::npos) break;
    out.push_back(json::parse(body.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

std::vector<json> of_type(const std::vector<json>& lines, std::string_view type) {
  std::vector<json> out;
  for (const auto& l : lines) {
    if (l.value("type", "") == type) out.push_back(l);
  }
  return out;
}

/// {"f":[{"v":…}…]} from plain cell values.
json bq_row(std::initializer_list<json> cells) {
  json f = json::array();
  for (const auto& c : cells) f.push_back({{"v", c}});
  return {{"f", f}};
}

class QueryTest : public ::testing::Test {
 protected:
  void start(std::string extra_config = "",
             std::vector<std::pair<std::string, std::string>> env = {}, bool with_endpoint = true) {
    std::string config = fmt::format(
        "store = \"memory\"\nlog_level = \"debug\"\n{}\n[oauth]\nrevoke_uri = \"{}/revoke\"\n",
        extra_config, fake_.base_url());
    if (with_endpoint) config += fmt::format("[bigquery]\nendpoint = \"{}\"\n", fake_.base_url());
    DaemonOptions options;
    options.with_config(std::move(config));
    for (auto& [k, v] : env) options.with_env(k, v);
    if (memory_measured_) options.with_memory_measured();
    daemon_.emplace(sandbox_, std::move(options));
    ASSERT_TRUE(daemon_->wait_ready());
    auto login = login_through_browser(*daemon_, fake_, std::string(kAlice));
    ASSERT_TRUE(login) << login.error();
  }
  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(log_free_of(daemon_->log(), fake_.issued_secrets()));
    }
  }

  void script(json result) { fake_.control("POST", "/bigquery/results", std::move(result)); }
  json bq_stats() const { return fake_.control("GET", "/bigquery/stats"); }

  Expected<HttpResponse> query(json body) {
    if (!body.contains("project")) body["project"] = kProject;
    return http_once(
        daemon_->socket_path(),
        http_request("POST", "/v1/query", body.dump(), {"Content-Type: application/json"}),
        std::chrono::seconds(30));
  }

  /// Runs `body` and @returns its lines; fails the test unless the answer is a 200 stream.
  std::vector<json> query_lines(json body) {
    auto r = query(std::move(body));
    if (!r) {
      ADD_FAILURE() << r.error();
      return {};
    }
    EXPECT_EQ(r->status, 200) << *r;
    EXPECT_EQ(r->header("content-type"), "application/x-ndjson");
    EXPECT_EQ(r->header("transfer-encoding"), "chunked");
    return lines_of(r->body);
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  std::optional<DaemonProcess> daemon_;
  /// Set before start(): the daemon runs as one whose memory the test bounds.
  bool memory_measured_ = false;
};

/// A scripted result with every kind of column (INTEGER to RECORD, REPEATED) and edge values
/// (int64 limits, NaN, ±Infinity, NULLs, empty arrays, CSV-hostile text), three rows two per
/// page, complete after two polls, in the EU.
json typed_result() {
  const json schema = {
      {"fields",
       {{{"name", "i"}, {"type", "INTEGER"}},
        {{"name", "n"}, {"type", "NUMERIC"}},
        {{"name", "f"}, {"type", "FLOAT"}},
        {{"name", "b"}, {"type", "BOOLEAN"}},
        {{"name", "s"}, {"type", "STRING"}},
        {{"name", "ts"}, {"type", "TIMESTAMP"}},
        {{"name", "tags"}, {"type", "STRING"}, {"mode", "REPEATED"}},
        {{"name", "rec"},
         {"type", "RECORD"},
         {"fields", {{{"name", "x"}, {"type", "INTEGER"}}, {{"name", "y"}, {"type", "BYTES"}}}}}}}};
  return {{"query", "SELECT typed"},
          {"schema", schema},
          {"page_size", 2},
          {"polls_before_complete", 2},
          {"poll_delay_ms", 50},
          {"total_bytes_processed", 1234},
          {"location", "EU"},
          {"rows",
           {bq_row({"9223372036854775807",
                    "12345678901234567890123456789.123456789",
                    "NaN",
                    "true",
                    "",
                    "1433836800123456",
                    json::array({{{"v", "a"}}, {{"v", "ü"}}}),
                    {{"f", {{{"v", "1"}}, {{"v", "AAEC"}}}}}}),
            bq_row({"-9223372036854775808", "0", "-Infinity", "false", nullptr, nullptr,
                    json::array(), nullptr}),
            bq_row({"3", "1.5", "2.5", nullptr, "a,b\n\"c\"", "0", json::array(), nullptr})}}};
}

/// The row lines of typed_result(): values by column type, column order kept.
void expect_typed_rows(const std::vector<json>& rows) {
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["row"].dump(),
            json::parse(R"({"i":"9223372036854775807","n":"12345678901234567890123456789.123456789",
              "f":"NaN","b":true,"s":"","ts":"2015-06-09T08:00:00.123456Z","tags":["a","ü"],
              "rec":{"x":"1","y":"AAEC"}})",
                        nullptr, true, false)
                .dump());
  EXPECT_EQ(rows[1]["row"]["i"], "-9223372036854775808");
  EXPECT_EQ(rows[1]["row"]["f"], "-Infinity");
  EXPECT_TRUE(rows[1]["row"]["s"].is_null());
  EXPECT_TRUE(rows[1]["row"]["ts"].is_null());
  EXPECT_EQ(rows[1]["row"]["tags"], json::array());
  EXPECT_TRUE(rows[1]["row"]["rec"].is_null());
  EXPECT_EQ(rows[2]["row"]["f"], 2.5);
  EXPECT_EQ(rows[2]["row"]["s"], "a,b\n\"c\"");
  EXPECT_EQ(rows[2]["row"]["ts"], "1970-01-01T00:00:00.000000Z");
}

/// What BigQuery saw of typed_result()'s query: standard SQL said explicitly, int64 timestamps,
/// a requestId, and every page fetched through its token.
void expect_one_paged_query(const json& stats) {
  ASSERT_EQ(stats["query_log"].size(), 1u) << stats;
  const json& q = stats["query_log"][0];
  EXPECT_EQ(q["useLegacySql"], false);
  EXPECT_EQ(q["formatOptions"]["useInt64Timestamp"], true);
  EXPECT_FALSE(q.value("requestId", "").empty());
  EXPECT_EQ(q["location"], "EU");
  int with_token = 0;
  for (const auto& r : stats["results_log"]) {
    if (r.contains("pageToken")) ++with_token;
  }
  EXPECT_EQ(with_token, 1) << stats["results_log"];  // 3 rows, 2 per page
}

TEST_F(QueryTest, TypedRowsStreamOverSeveralPagesAfterIncompletePolls) {
  start();
  script(typed_result());

  auto lines = query_lines({{"query", "SELECT typed"}, {"location", "EU"}});
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front()["type"], "job") << lines.front();
  EXPECT_EQ(lines.front()["project"], kProject);
  EXPECT_EQ(lines.front()["location"], "EU");
  EXPECT_FALSE(lines.front().value("job_id", "").empty()) << lines.front();
  EXPECT_EQ(lines.back()["type"], "end") << lines.back();
  EXPECT_GE(of_type(lines, "progress").size(), 1u);

  auto schemas = of_type(lines, "schema");
  ASSERT_EQ(schemas.size(), 1u);
  EXPECT_EQ(schemas[0]["fields"][0],
            (json{{"name", "i"}, {"type", "INTEGER"}, {"mode", "NULLABLE"}}));
  ASSERT_NO_FATAL_FAILURE(expect_typed_rows(of_type(lines, "row")));

  const json& end = lines.back();
  EXPECT_EQ(end["total_rows"], 3);
  EXPECT_EQ(end["rows"], 3);
  EXPECT_EQ(end["bytes_processed"], 1234);
  EXPECT_EQ(end["truncated"], false);
  EXPECT_EQ(end["dry_run"], false);
  expect_one_paged_query(bq_stats());
}

TEST_F(QueryTest, BackendErrorsAreRetriedWithTheSameRequestId) {
  start();
  script({{"query", "SELECT 7"},
          {"schema", {{"fields", {{{"name", "x"}, {"type", "INTEGER"}}}}}},
          {"rows", {bq_row({"7"})}},
          {"faults", {{{"reason", "backendError"}, {"count", 2}}}}});
  auto lines = query_lines({{"query", "SELECT 7"}});
  auto rows = of_type(lines, "row");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["row"]["x"], "7");
  json log = bq_stats()["query_log"];
  ASSERT_EQ(log.size(), 3u) << log;
  EXPECT_EQ(log[0]["requestId"], log[1]["requestId"]);
  EXPECT_EQ(log[1]["requestId"], log[2]["requestId"]);
}

TEST_F(QueryTest, A401RefreshesTheTokenOnceAndRetries) {
  start();
  script({{"query", "SELECT 8"},
          {"schema", {{"fields", {{{"name", "x"}, {"type", "INTEGER"}}}}}},
          {"rows", {bq_row({"8"})}},
          {"faults", {{{"reason", "authError"}, {"count", 1}}}}});
  // A cached token first, so that the only refresh counted is the one the 401 causes.
  auto warm = daemon_api(*daemon_, "GET", "/v1/token");
  ASSERT_TRUE(warm && warm->status == 200);
  fake_.control("DELETE", "/stats");
  auto lines = query_lines({{"query", "SELECT 8"}});
  ASSERT_EQ(of_type(lines, "row").size(), 1u);
  json oauth = fake_.control("GET", "/stats");
  EXPECT_EQ(oauth["token_requests"]["by_grant_type"].value("refresh_token", 0), 1) << oauth;

  // Twice in a row is not a stale token: the daemon gives up and says so.
  script({{"query", "SELECT 9"},
          {"schema", {{"fields", {{{"name", "x"}, {"type", "INTEGER"}}}}}},
          {"rows", {bq_row({"9"})}},
          {"faults", {{{"reason", "authError"}, {"count", 5}}}}});
  auto r = query({{"query", "SELECT 9"}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 401) << *r;
  EXPECT_EQ(r->json()["error"]["code"], "needs_login");
}

TEST_F(QueryTest, AnInvalidQueryIsAnErrorWithItsPositionBeforeAnyLine) {
  start();
  auto r = query({{"query", "SELEC nonsense"}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 400) << *r;
  EXPECT_EQ(r->header("content-type"), "application/json");
  json e = r->json()["error"];
  EXPECT_EQ(e["code"], "invalid_query");
  EXPECT_EQ(e["reason"], "invalidQuery");
  EXPECT_EQ(e["line"], 1);
  EXPECT_EQ(e["column"], 1);
  EXPECT_NE(e["message"].get<std::string>().find("Unrecognized"), std::string::npos) << e;
  EXPECT_EQ(bq_stats()["query_log"].size(), 1u);  // not retried
}

TEST_F(QueryTest, AJobThatFailsAfterItsJobLineEndsWithAnErrorLine) {
  start();
  script({{"query", "SELECT slow_fail"},
          {"polls_before_complete", 1},
          {"poll_delay_ms", 10},
          {"error", {{"reason", "accessDenied"}, {"message", "Access Denied: Table p:d.t"}}}});
  auto lines = query_lines({{"query", "SELECT slow_fail"}});
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines.front()["type"], "job");
  EXPECT_EQ(lines.back()["type"], "error") << lines.back();
  EXPECT_EQ(lines.back()["error"]["code"], "access_denied");
  EXPECT_EQ(lines.back()["error"]["reason"], "accessDenied");
}

TEST_F(QueryTest, MaxRowsStopsTheStreamAndSaysSo) {
  start();
  json rows = json::array();
  for (int i = 0; i < 10; ++i) rows.push_back(bq_row({std::to_string(i)}));
  script({{"query", "SELECT ten"},
          {"schema", {{"fields", {{{"name", "x"}, {"type", "INTEGER"}}}}}},
          {"rows", rows},
          {"page_size", 4}});
  auto lines = query_lines({{"query", "SELECT ten"}, {"max_rows", 5}});
  auto got = of_type(lines, "row");
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[4]["row"]["x"], "4");
  EXPECT_EQ(lines.back()["type"], "end");
  EXPECT_EQ(lines.back()["truncated"], true);
  EXPECT_EQ(lines.back()["rows"], 5);
  EXPECT_EQ(lines.back()["total_rows"], 10);
}

TEST_F(QueryTest, ADryRunAnswersTheSchemaAndTheEstimate) {
  start();
  script({{"query", "SELECT estimate"},
          {"schema", {{"fields", {{{"name", "x"}, {"type", "STRING"}}}}}},
          {"rows", {bq_row({"a"})}},
          {"total_bytes_processed", 987654}});
  auto lines = query_lines({{"query", "SELECT estimate"}, {"dry_run", true}});
  EXPECT_TRUE(of_type(lines, "row").empty());
  EXPECT_TRUE(of_type(lines, "job").empty());
  ASSERT_EQ(of_type(lines, "schema").size(), 1u);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back()["type"], "end");
  EXPECT_EQ(lines.back()["dry_run"], true);
  EXPECT_EQ(lines.back()["bytes_processed"], 987654);
  EXPECT_EQ(bq_stats()["query_log"][0]["dryRun"], true);
}

TEST_F(QueryTest, ParametersQuotaProjectAndOptionsReachBigQuery) {
  start("quota_project = \"billing-proj\"");
  auto lines = query_lines({{"query", "SELECT 1"},
                            {"parameters",
                             {{{"name", "ids"}, {"type", "ARRAY<INT64>"}, {"value", {1, 2}}},
                              {{"name", "who"}, {"type", "STRING"}, {"value", "ada"}}}},
                            {"maximum_bytes_billed", "1000000"},
                            {"labels", {{"team", "data"}}},
                            {"default_dataset", "other.ds"},
                            {"use_query_cache", false}});
  ASSERT_EQ(of_type(lines, "row").size(), 1u);
  json q = bq_stats()["query_log"][0];
  EXPECT_EQ(q["user_project"], "billing-proj");
  EXPECT_EQ(q["project"], kProject);
  EXPECT_EQ(q["parameterMode"], "NAMED");
  EXPECT_EQ(q["queryParameters"][0]["parameterType"],
            (json{{"type", "ARRAY"}, {"arrayType", {{"type", "INT64"}}}}));
  EXPECT_EQ(q["queryParameters"][0]["parameterValue"]["arrayValues"][1]["value"], "2");
  EXPECT_EQ(q["maximumBytesBilled"], "1000000");
  EXPECT_EQ(q["labels"], (json{{"team", "data"}}));
  EXPECT_EQ(q["defaultDataset"], (json{{"projectId", "other"}, {"datasetId", "ds"}}));
  EXPECT_EQ(q["useQueryCache"], false);
}

TEST_F(QueryTest, BigQueryEmulatorHostFromTheEnvironmentIsHonoured) {
  start("", {{"BIGQUERY_EMULATOR_HOST", fmt::format("127.0.0.1:{}", fake_.port())}},
        /*with_endpoint=*/false);
  auto lines = query_lines({{"query", "SELECT 1"}});
  EXPECT_EQ(of_type(lines, "row").size(), 1u);
  EXPECT_EQ(bq_stats()["query_log"].size(), 1u);
}

TEST_F(QueryTest, BadRequestsNameTheField) {
  start();
  auto r = query({{"query", ""}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(is_api_error(*r, 400, "bad_request"));
  r = query({{"query", "SELECT 1"}, {"max_rowz", 3}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(is_api_error(*r, 400, "bad_request"));
  EXPECT_NE(r->body.find("max_rowz"), std::string::npos) << *r;
  r = query({{"query", "SELECT 1"},
             {"parameters", {{{"name", "x"}, {"type", "INT64"}, {"value", "nope"}}}}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(is_api_error(*r, 400, "bad_request"));
  r = query({{"query", "SELECT 1"}, {"account", "nobody@example.com"}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 404) << *r;
  EXPECT_EQ(bq_stats()["query_log"].size(), 0u);
}

/// Sends `body` on a raw connection and reads until the job line. @returns the job line.
json open_running_query(RawHttp& conn, json body) {
  auto sent =
      conn.send(http_request("POST", "/v1/query", body.dump(), {"Content-Type: application/json"}));
  EXPECT_TRUE(sent) << sent.error();
  std::string raw;
  auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline) {
    auto pos = raw.find("{\"type\":\"job\"");
    if (pos != std::string::npos && raw.find('\n', pos) != std::string::npos) {
      return json::parse(raw.substr(pos, raw.find('\n', pos) - pos));
    }
    pollfd p{conn.fd(), POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) continue;
    char buf[4096];
    auto n = ::recv(conn.fd(), buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ADD_FAILURE() << "no job line; got: " << raw;
  return json::object();
}

/// Waits (bounded) until the fake has recorded a cancel of `job_id`.
bool wait_cancelled(const FakeGoogle& fake, const std::string& job_id) {
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    json cancelled = fake.control("GET", "/bigquery/stats")["cancelled"];
    for (const auto& j : cancelled) {
      if (j == job_id) return true;
    }
    ::poll(nullptr, 0, 20);  // the next look at the fake's log
  }
  return false;
}

TEST_F(QueryTest, AClientThatLeavesGetsItsJobCancelled) {
  start();
  script({{"query", "SELECT forever"},
          {"schema", {{"fields", {{{"name", "x"}, {"type", "INTEGER"}}}}}},
          {"rows", {bq_row({"1"})}},
          {"polls_before_complete", 1000},
          {"poll_delay_ms", 200}});
  auto conn = RawHttp::connect(daemon_->socket_path());
  ASSERT_TRUE(conn) << conn.error();
  json job = open_running_query(*conn, {{"query", "SELECT forever"}, {"project", kProject}});
  std::string job_id = job.value("job_id", "");
  ASSERT_FALSE(job_id.empty()) << job;
  conn = RawHttp::connect(daemon_->socket_path());  // closes the first connection
  EXPECT_TRUE(wait_cancelled(fake_, job_id));
}

TEST_F(QueryTest, DeleteJobCancelsARunningJob) {
  start();
  script({{"query", "SELECT long"},
          {"schema", {{"fields", {{{"name", "x"}, {"type", "INTEGER"}}}}}},
          {"rows", {bq_row({"1"})}},
          {"polls_before_complete", 1000},
          {"poll_delay_ms", 200},
          {"location", "US"}});
  auto conn = RawHttp::connect(daemon_->socket_path());
  ASSERT_TRUE(conn) << conn.error();
  json job = open_running_query(*conn, {{"query", "SELECT long"}, {"project", kProject}});
  std::string job_id = job.value("job_id", "");
  ASSERT_FALSE(job_id.empty()) << job;
  auto r =
      daemon_api(*daemon_, "DELETE", fmt::format("/v1/jobs/{}/{}?location=US", kProject, job_id));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200) << *r;
  EXPECT_EQ(r->json()["job_id"], job_id);
  EXPECT_TRUE(wait_cancelled(fake_, job_id));

  auto missing =
      daemon_api(*daemon_, "DELETE", fmt::format("/v1/jobs/{}/no-such-job?location=US", kProject));
  ASSERT_TRUE(missing) << missing.error();
  EXPECT_EQ(missing->status, 404) << *missing;
}

/// @returns the daemon's peak resident set (VmHWM) in KiB.
long peak_rss_kib(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST_F(QueryTest, AResultFarLargerThanTheDaemonsMemoryStreamsThrough) {
  memory_measured_ = true;
  start();
  // 500 distinct rows of ~1 KiB served 80 times over: 40 MiB of rows, fetched 500 at a time.
  const std::string filler(1000, 'z');
  json rows = json::array();
  for (int i = 0; i < 500; ++i) rows.push_back(bq_row({std::to_string(i), filler}));
  script(
      {{"query", "SELECT big"},
       {"schema",
        {{"fields", {{{"name", "i"}, {"type", "INTEGER"}}, {{"name", "s"}, {"type", "STRING"}}}}}},
       {"rows", rows},
       {"repeat_rows", 80},
       {"page_size", 500}});
  long before = peak_rss_kib(daemon_->pid());
  ASSERT_GT(before, 0);
  auto r = query({{"query", "SELECT big"}});
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->status, 200);
  auto lines = lines_of(r->body);
  ASSERT_EQ(lines.back()["type"], "end") << lines.back();
  EXPECT_EQ(lines.back()["rows"], 40000) << lines.back();
  EXPECT_EQ(lines[lines.size() - 2]["row"]["i"], "499");
  long after = peak_rss_kib(daemon_->pid());
  // One page is ~0.5 MiB of JSON, a few times that in parsed form: far below the 40 MiB result.
  EXPECT_LT(after - before, 16 * 1024)
      << "peak RSS grew from " << before << " to " << after << " KiB";
}

}  // namespace
}  // namespace bqb::itest
