// FakeBigQuery with a QueryExecutor plugged in, and jobs.insert: scripted results still win,
// the executor's output is paged like a script's, its errors are the job's errors.

#include <gtest/gtest.h>

#include "fakes/bigquery/fake_bigquery.h"

namespace bqb::fakes::bigquery {
namespace {

using nlohmann::json;

/// Answers "SELECT n" with n rows of one INTEGER column (and TIMESTAMP 1.5E9), and so a table
/// read "SELECT * FROM `samples.tn`" too; anything else with an invalidQuery; records what it was
/// asked.
class CountingExecutor : public QueryExecutor {
 public:
  explicit CountingExecutor(std::vector<QueryRequest>* seen) : seen_(seen) {}
  tl::expected<QueryOutput, ScriptedError> execute(const QueryRequest& r) override {
    seen_->push_back(r);
    constexpr std::string_view kTable = "SELECT * FROM `samples.t";
    const bool table = r.query.starts_with(kTable);
    if (!r.query.starts_with("SELECT ") || (r.query.starts_with("SELECT *") && !table)) {
      return tl::unexpected(
          ScriptedError{400, "invalidQuery", "near x: syntax error at [1:1]", "query"});
    }
    const int n = std::stoi(r.query.substr(table ? kTable.size() : 7));
    QueryOutput out;
    out.schema = json::parse(
        R"({"fields":[{"name":"i","type":"INTEGER"},{"name":"ts","type":"TIMESTAMP"}]})");
    out.rows = json::array();
    for (int i = 0; i < n; ++i)
      out.rows.push_back({{"f", {{{"v", std::to_string(i)}}, {{"v", "1500000000000000"}}}}});
    out.total_bytes_processed = 8 * n;
    return out;
  }

 private:
  std::vector<QueryRequest>* seen_;
};

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest()
      : fake_([](std::string_view token, Clock::time_point) -> std::optional<ScopeList> {
          if (token == "ya29.bq") return ScopeList{"https://www.googleapis.com/auth/bigquery"};
          if (token == "ya29.ro")
            return ScopeList{"https://www.googleapis.com/auth/bigquery.readonly"};
          return std::nullopt;
        }) {
    fake_.set_executor(std::make_unique<CountingExecutor>(&seen_));
  }
  FakeResponse call(std::string method, std::string target, const json& body = nullptr,
                    std::string token = "ya29.bq") {
    FakeRequest req{std::move(method),
                    std::move(target),
                    "application/json",
                    body.is_null() ? "" : body.dump(),
                    {}};
    req.headers.emplace_back("authorization", "Bearer " + token);
    return fake_.handle(req, Clock::now());
  }
  static json body(const FakeResponse& r) { return json::parse(r.body); }

  std::vector<QueryRequest> seen_;
  FakeBigQuery fake_;
};

TEST_F(ExecutorTest, UnscriptedQueriesRunOnTheExecutorAndPage) {
  FakeResponse r = call("POST", "/bigquery/v2/projects/p/queries",
                        {{"query", "SELECT 5"},
                         {"useLegacySql", false},
                         {"maxResults", 2},
                         {"parameterMode", "NAMED"},
                         {"queryParameters", json::array({{{"name", "x"}}})},
                         {"formatOptions", {{"useInt64Timestamp", true}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].project, "p");
  EXPECT_EQ(seen_[0].parameter_mode, "NAMED");
  EXPECT_EQ(seen_[0].query_parameters[0]["name"], "x");
  json b = body(r);
  EXPECT_EQ(b["totalRows"], "5");
  EXPECT_EQ(b["rows"].size(), 2u);
  EXPECT_EQ(b["rows"][1]["f"][1]["v"], "1500000000000000");
  EXPECT_EQ(b["totalBytesProcessed"], "40");
  const std::string job = b["jobReference"]["jobId"];
  FakeResponse next = call("GET", "/bigquery/v2/projects/p/queries/" + job +
                                      "?pageToken=" + b["pageToken"].get<std::string>());
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(body(next)["rows"].size(), 3u);
  EXPECT_EQ(body(next)["rows"][0]["f"][0]["v"], "2");
  EXPECT_EQ(body(next)["rows"][0]["f"][1]["v"], "1.5E9");  // float seconds without useInt64
}

TEST_F(ExecutorTest, ScriptedResultsWinAndSelectOneStaysBuiltIn) {
  FakeResponse s = call("POST", "/_fake/bigquery/results",
                        {{"query", "SELECT 3"},
                         {"schema", {{"fields", {{{"name", "x"}, {"type", "STRING"}}}}}},
                         {"rows", json::array({{{"f", {{{"v", "scripted"}}}}}})}});
  ASSERT_EQ(s.status, 200) << s.body;
  FakeResponse r = call("POST", "/bigquery/v2/projects/p/queries",
                        {{"query", "SELECT 3"}, {"useLegacySql", false}});
  EXPECT_EQ(body(r)["rows"][0]["f"][0]["v"], "scripted");
  FakeResponse one = call("POST", "/bigquery/v2/projects/p/queries",
                          {{"query", "SELECT 1"}, {"useLegacySql", false}});
  EXPECT_EQ(body(one)["schema"]["fields"][0]["name"], "f0_");
  EXPECT_TRUE(seen_.empty());
}

TEST_F(ExecutorTest, LegacySqlIsRefusedBeforeRunning) {
  FakeResponse r = call("POST", "/bigquery/v2/projects/p/queries", {{"query", "SELECT 2"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body(r)["error"]["errors"][0]["reason"], "invalidQuery");
  EXPECT_TRUE(seen_.empty());
}

TEST_F(ExecutorTest, ExecutorErrorsAreTheQuerysErrors) {
  FakeResponse r = call("POST", "/bigquery/v2/projects/p/queries",
                        {{"query", "DROP x"}, {"useLegacySql", false}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body(r)["error"]["errors"][0]["reason"], "invalidQuery");
  EXPECT_EQ(body(r)["error"]["errors"][0]["location"], "query");
  EXPECT_NE(body(r)["error"]["message"].get<std::string>().find("at [1:1]"), std::string::npos);
}

TEST_F(ExecutorTest, JobsInsertCreatesAJobReadWithGetQueryResults) {
  json job = {{"jobReference", {{"projectId", "p"}, {"jobId", "node-job-1"}, {"location", "EU"}}},
              {"configuration", {{"query", {{"query", "SELECT 3"}, {"useLegacySql", false}}}}}};
  FakeResponse r = call("POST", "/bigquery/v2/projects/p/jobs", job);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["kind"], "bigquery#job");
  EXPECT_EQ(body(r)["jobReference"]["jobId"], "node-job-1");
  EXPECT_EQ(body(r)["jobReference"]["location"], "EU");
  EXPECT_EQ(body(r)["status"]["state"], "DONE");
  FakeResponse rows = call("GET", "/bigquery/v2/projects/p/queries/node-job-1?location=EU");
  ASSERT_EQ(rows.status, 200) << rows.body;
  EXPECT_EQ(body(rows)["totalRows"], "3");
  EXPECT_EQ(call("GET", "/bigquery/v2/projects/p/jobs/node-job-1").status, 200);
  // The same job id again is a conflict, as at Google.
  FakeResponse dup = call("POST", "/bigquery/v2/projects/p/jobs", job);
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(body(dup)["error"]["errors"][0]["reason"], "duplicate");
  json stats = body(call("GET", "/_fake/bigquery/stats"));
  EXPECT_EQ(stats["requests"]["insert"], 2);
  EXPECT_EQ(stats["query_log"][0]["method"], "jobs.insert");
}

TEST_F(ExecutorTest, JobsInsertOfAFailingQueryIsADoneJobWithErrorResult) {
  FakeResponse r =
      call("POST", "/bigquery/v2/projects/p/jobs",
           {{"configuration", {{"query", {{"query", "BAD"}, {"useLegacySql", false}}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["status"]["state"], "DONE");
  EXPECT_EQ(body(r)["status"]["errorResult"]["reason"], "invalidQuery");
  const std::string id = body(r)["jobReference"]["jobId"];
  EXPECT_EQ(call("GET", "/bigquery/v2/projects/p/queries/" + id).status, 400);
}

TEST_F(ExecutorTest, JobsInsertChecksWhatJobsQueryChecks) {
  auto insert = [&](const json& b, std::string token = "ya29.bq") {
    return call("POST", "/bigquery/v2/projects/p/jobs", b, std::move(token));
  };
  json ok = {{"configuration", {{"query", {{"query", "SELECT 1"}, {"useLegacySql", false}}}}}};
  EXPECT_EQ(insert(ok, "ya29.unknown").status, 401);
  EXPECT_EQ(insert(ok, "ya29.ro").status, 403);  // not a read-only method
  EXPECT_EQ(insert({{"configuration", {{"load", json::object()}}}}).status, 400);
  EXPECT_EQ(insert({{"configuration", {{"query", {{"query", ""}}}}}}).status, 400);
  EXPECT_EQ(
      insert({{"configuration", {{"query", {{"query", "SELECT 1"}, {"useLegacySql", "no"}}}}}})
          .status,
      400);
  EXPECT_EQ(insert({{"configuration", {{"query", {{"query", "SELECT 2"}}}}}}).status,
            400);  // legacy
  json bad_id = ok;
  bad_id["jobReference"] = {{"jobId", "no spaces"}};
  EXPECT_EQ(insert(bad_id).status, 400);
  json other_project = ok;
  other_project["jobReference"] = {{"projectId", "q"}};
  EXPECT_EQ(insert(other_project).status, 400);
  EXPECT_EQ(call("GET", "/bigquery/v2/projects/p/jobs").status, 405);
}

// Go's client reads a query's rows from the job's anonymous destination table: jobs.insert
// names it, getQueryResults?maxResults=0 only waits, tabledata.list pages the rows.
TEST_F(ExecutorTest, AJobsDestinationTableIsPagedWithTabledataList) {
  FakeResponse r =
      call("POST", "/bigquery/v2/projects/p/jobs",
           {{"configuration", {{"query", {{"query", "SELECT 5"}, {"useLegacySql", false}}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json dst = body(r)["configuration"]["query"]["destinationTable"];
  EXPECT_EQ(dst["projectId"], "p");
  const std::string dataset = dst.value("datasetId", ""), table = dst.value("tableId", "");
  EXPECT_TRUE(dataset.starts_with("_") && dataset.size() == 41) << dst;
  EXPECT_TRUE(table.starts_with("anon") && table.size() == 44) << dst;
  const std::string job = body(r)["jobReference"]["jobId"];
  EXPECT_EQ(body(call("GET", "/bigquery/v2/projects/p/jobs/" +
                                 job))["configuration"]["query"]["destinationTable"],
            dst);

  // Waiting: no rows, but the schema and the count.
  FakeResponse wait = call("GET", "/bigquery/v2/projects/p/queries/" + job + "?maxResults=0");
  ASSERT_EQ(wait.status, 200) << wait.body;
  EXPECT_TRUE(body(wait)["jobComplete"]);
  EXPECT_FALSE(body(wait).contains("rows"));
  EXPECT_EQ(body(wait)["totalRows"], "5");
  EXPECT_EQ(body(wait)["schema"]["fields"][0]["name"], "i");

  const std::string data = "/bigquery/v2/projects/p/datasets/" + dataset + "/tables/" + table;
  std::vector<std::string> ids;
  std::string query = "?maxResults=2&startIndex=0";
  for (int pages = 0; pages < 5; ++pages) {
    FakeResponse page = call("GET", data + "/data" + query);
    ASSERT_EQ(page.status, 200) << page.body;
    const json b = body(page);
    EXPECT_EQ(b["kind"], "bigquery#tableDataList");
    EXPECT_EQ(b["totalRows"], "5");
    for (const auto& row : b["rows"]) ids.push_back(row["f"][0]["v"]);
    EXPECT_EQ(b["rows"][0]["f"][1]["v"], "1.5E9");  // float seconds unless asked otherwise
    if (!b.contains("pageToken")) break;
    query = "?maxResults=2&pageToken=" + b["pageToken"].get<std::string>();
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  const json tail =
      body(call("GET", data + "/data?startIndex=4&formatOptions.useInt64Timestamp=true"));
  ASSERT_EQ(tail["rows"].size(), 1u) << tail;
  EXPECT_EQ(tail["rows"][0]["f"][1]["v"], "1500000000000000");
  EXPECT_FALSE(body(call("GET", data + "/data?startIndex=9")).contains("rows"));
  EXPECT_FALSE(body(call("GET", data + "/data?maxResults=0")).contains("rows"));

  FakeResponse meta = call("GET", data + "?fields=schema", nullptr, "ya29.ro");  // a read
  ASSERT_EQ(meta.status, 200) << meta.body;
  EXPECT_EQ(body(meta)["kind"], "bigquery#table");
  EXPECT_EQ(body(meta)["numRows"], "5");
  EXPECT_EQ(body(meta)["schema"]["fields"][1]["type"], "TIMESTAMP");
  EXPECT_EQ(body(meta)["tableReference"]["tableId"], table);

  const json stats = body(call("GET", "/_fake/bigquery/stats"));
  EXPECT_EQ(stats["requests"]["tabledata_list"], 6);
  EXPECT_EQ(stats["requests"]["tables_get"], 1);
  EXPECT_EQ(stats["table_log"][1]["pageToken"], "fake-page-2");
  EXPECT_EQ(stats["table_log"].back()["method"], "tables.get");
  EXPECT_EQ(stats["table_log"].back()["status"], 200);
}

TEST_F(ExecutorTest, ATableIsFoundOnlyWhereAndWhenItExists) {
  FakeResponse r =
      call("POST", "/bigquery/v2/projects/p/jobs",
           {{"configuration", {{"query", {{"query", "SELECT 3"}, {"useLegacySql", false}}}}}});
  const json dst = body(r)["configuration"]["query"]["destinationTable"];
  const std::string tail = "/datasets/" + dst["datasetId"].get<std::string>() + "/tables/" +
                           dst["tableId"].get<std::string>();
  const std::string data = "/bigquery/v2/projects/p" + tail + "/data";
  ASSERT_EQ(call("GET", data).status, 200);

  // Another project's path to it, and unknown tables: Google's 404.
  FakeResponse other = call("GET", "/bigquery/v2/projects/q" + tail + "/data");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(body(other)["error"]["errors"][0]["reason"], "notFound");
  EXPECT_EQ(body(other)["error"]["message"],
            "Not found: Table q:" + dst["datasetId"].get<std::string>() + "." +
                dst["tableId"].get<std::string>());
  EXPECT_EQ(call("GET", "/bigquery/v2/projects/p/datasets/samples/tables/nope").status, 404);
  const std::size_t asked = seen_.size();
  EXPECT_EQ(call("GET", "/bigquery/v2/projects/p/datasets/samples/tables/t1%60x/data").status, 404);
  EXPECT_EQ(seen_.size(), asked);  // not a table id: never reaches the executor

  // Bad paging parameters, unsupported ones, the method, the token.
  EXPECT_EQ(call("GET", data + "?pageToken=junk").status, 400);
  EXPECT_EQ(call("GET", data + "?pageToken=fake-page-4").status, 400);  // past the end
  EXPECT_EQ(call("GET", data + "?maxResults=-1").status, 400);
  EXPECT_EQ(call("GET", data + "?startIndex=x").status, 400);
  EXPECT_EQ(call("GET", data + "?selectedFields=i").status, 400);
  EXPECT_EQ(call("POST", data).status, 405);
  EXPECT_EQ(call("GET", data, nullptr, "ya29.unknown").status, 401);

  // A failed job has no table; a running one has none yet.
  FakeResponse failed =
      call("POST", "/bigquery/v2/projects/p/jobs",
           {{"configuration", {{"query", {{"query", "BAD"}, {"useLegacySql", false}}}}}});
  const json fdst = body(failed)["configuration"]["query"]["destinationTable"];
  EXPECT_EQ(call("GET", "/bigquery/v2/projects/p/datasets/" + fdst["datasetId"].get<std::string>() +
                            "/tables/" + fdst["tableId"].get<std::string>() + "/data")
                .status,
            404);
  ASSERT_EQ(call("POST", "/_fake/bigquery/results",
                 {{"query", "SELECT 8"},
                  {"schema", {{"fields", {{{"name", "x"}, {"type", "STRING"}}}}}},
                  {"rows", json::array({{{"f", {{{"v", "late"}}}}}})},
                  {"polls_before_complete", 1}})
                .status,
            200);
  FakeResponse running =
      call("POST", "/bigquery/v2/projects/p/jobs",
           {{"configuration", {{"query", {{"query", "SELECT 8"}, {"useLegacySql", false}}}}}});
  EXPECT_EQ(body(running)["status"]["state"], "RUNNING");
  const json rdst = body(running)["configuration"]["query"]["destinationTable"];
  const std::string rdata = "/bigquery/v2/projects/p/datasets/" +
                            rdst["datasetId"].get<std::string>() + "/tables/" +
                            rdst["tableId"].get<std::string>() + "/data";
  EXPECT_EQ(call("GET", rdata).status, 404);
  const std::string job = body(running)["jobReference"]["jobId"];
  EXPECT_FALSE(body(call("GET", "/bigquery/v2/projects/p/queries/" + job))["jobComplete"]);
  FakeResponse done = call("GET", rdata);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(body(done)["rows"][0]["f"][0]["v"], "late");
}

// The executor's own tables (the emulator's samples.*) under any project, as its queries read them.
TEST_F(ExecutorTest, TheExecutorsTablesAreListedAndDescribed) {
  FakeResponse rows = call("GET", "/bigquery/v2/projects/any/datasets/samples/tables/t3/data");
  ASSERT_EQ(rows.status, 200) << rows.body;
  EXPECT_EQ(body(rows)["totalRows"], "3");
  EXPECT_EQ(body(rows)["rows"].size(), 3u);
  ASSERT_FALSE(seen_.empty());
  EXPECT_EQ(seen_.back().query, "SELECT * FROM `samples.t3`");
  EXPECT_EQ(seen_.back().project, "any");
  FakeResponse meta = call("GET", "/bigquery/v2/projects/any/datasets/samples/tables/t3");
  ASSERT_EQ(meta.status, 200) << meta.body;
  EXPECT_EQ(body(meta)["numRows"], "3");
  EXPECT_EQ(body(meta)["id"], "any:samples.t3");
  EXPECT_EQ(body(meta)["schema"]["fields"][0]["type"], "INTEGER");
}

}  // namespace
}  // namespace bqb::fakes::bigquery
