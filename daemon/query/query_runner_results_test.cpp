// QueryRunner: what a query streams back: the job, progress, schema, row and end lines, paging
// through the result, max_rows, dry runs, batching and back-pressure, and the request it sends.

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/query/api_query.h"
#include "tests/support/query_runner_test_support.h"

namespace bqb::test {
namespace {

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
}  // namespace bqb::test
