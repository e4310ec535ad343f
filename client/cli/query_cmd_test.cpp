// `bqbroker query` against a scripted daemon that streams NDJSON answers: the request body,
// formats end to end, the --max-rows notice, errors with the SQL position and exit codes, an
// error line after rows, SQL on standard input, a dry run.

#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client/cli/cli_app.h"
#include "tests/support/run_command.h"
#include "tests/support/scripted_daemon.h"

namespace bqb::cli {
namespace {

using bqb::testing::http_response;
using bqb::testing::ScriptedDaemon;
using bqb::testing::Seen;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

/// @returns a 200 application/x-ndjson answer carrying `lines`, one chunk per line.
std::string ndjson(const std::vector<std::string>& lines) {
  std::string r =
      "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const auto& l : lines) {
    std::ostringstream size;
    size << std::hex << l.size() + 1;
    r += size.str() + "\r\n" + l + "\n\r\n";
  }
  return r + "0\r\n\r\n";
}

const std::string kJob = R"({"type":"job","project":"p","job_id":"j1","location":"US"})";
const std::string kSchema =
    R"({"type":"schema","fields":[{"name":"n","type":"INTEGER","mode":"NULLABLE"},)"
    R"({"name":"s","type":"STRING","mode":"NULLABLE"}]})";
const std::string kRow1 = R"({"type":"row","row":{"n":"1","s":"a,b"}})";
const std::string kRow2 = R"({"type":"row","row":{"n":null,"s":""}})";
std::string end_line(int rows, int total, bool truncated = false) {
  return json{{"type", "end"},           {"total_rows", total},      {"rows", rows},
              {"bytes_processed", 2048}, {"bytes_billed", 10485760}, {"cache_hit", false},
              {"truncated", truncated},  {"dry_run", false},         {"elapsed_ms", 5}}
      .dump();
}

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(const std::string& socket, std::vector<std::string> args) {
  args.insert(args.begin(), {"bqbroker", "--socket", socket, "query"});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

TEST(QueryCommand, SendsTheRequestAndPrintsCsv) {
  ScriptedDaemon daemon([](const Seen&) {
    return ndjson({kJob, kSchema, kRow1, kRow2, end_line(2, 2)});
  });
  auto r = run(daemon.socket(), {"SELECT @x, ?", "--format", "csv", "--project", "p", "--location",
                                 "US", "--param", "x:TIME:12:30:00", "--param", ":STRING:NULL",
                                 "--page-size", "7", "--max-bytes-billed", "99"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "n,s\r\n1,\"a,b\"\r\n,\"\"\r\n");
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(daemon.lines(), ElementsAre("POST /v1/query"));
  EXPECT_EQ(
      daemon.first("POST").body,
      (json{{"query", "SELECT @x, ?"},
            {"use_legacy_sql", false},
            {"project", "p"},
            {"location", "US"},
            {"parameters", json::array({{{"name", "x"}, {"type", "TIME"}, {"value", "12:30:00"}},
                                        {{"type", "STRING"}, {"value", nullptr}}})},
            {"page_size", 7},
            {"maximum_bytes_billed", 99}}))
      << "csv has no default row limit";
}

TEST(QueryCommand, PrettyHasAFooterAndADefaultLimitThatIsNeverSilent) {
  ScriptedDaemon daemon([](const Seen&) {
    return ndjson({kJob, kSchema, kRow1, end_line(1, 250, true)});
  });
  auto r = run(daemon.socket(), {"SELECT 1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "n | s\n--+----\n1 | a,b\n1 row shown of 250, 2.0 KiB processed\n");
  EXPECT_EQ(r.err, "bqbroker: warning: showing the first 1 row of 250; --max-rows to change\n");
  EXPECT_EQ(daemon.first("POST").body["max_rows"], 100);
  ScriptedDaemon unlimited([](const Seen&) {
    return ndjson({kJob, kSchema, kRow1, end_line(1, 1)});
  });
  auto all = run(unlimited.socket(), {"SELECT 1", "--max-rows", "all"});
  EXPECT_EQ(all.code, 0) << all.err;
  EXPECT_EQ(all.err, "");
  EXPECT_FALSE(unlimited.first("POST").body.contains("max_rows"));
}

TEST(QueryCommand, NdjsonAndJson) {
  ScriptedDaemon daemon([](const Seen&) {
    return ndjson({kJob, kSchema, kRow1, kRow2, end_line(2, 2)});
  });
  auto nd = run(daemon.socket(), {"SELECT 1", "--format", "ndjson"});
  EXPECT_EQ(nd.code, 0) << nd.err;
  EXPECT_EQ(nd.out, "{\"n\":\"1\",\"s\":\"a,b\"}\n{\"n\":null,\"s\":\"\"}\n");
  auto js = run(daemon.socket(), {"SELECT 1", "--format", "json", "--max-rows", "5"});
  EXPECT_EQ(js.code, 0) << js.err;
  EXPECT_EQ(js.out, "[\n{\"n\":\"1\",\"s\":\"a,b\"},\n{\"n\":null,\"s\":\"\"}\n]\n");
  EXPECT_EQ(js.err, "");
}

TEST(QueryCommand, AnInvalidQueryShowsTheSqlPositionAndExitsOne) {
  ScriptedDaemon daemon([](const Seen&) {
    return http_response(
        400, "Bad Request",
        R"({"error":{"code":"invalid_query","message":"Syntax error: Unexpected identifier \"FRM\" at [2:1]",)"
        R"("reason":"invalidQuery","line":2,"column":1}})");
  });
  auto r = run(daemon.socket(), {"SELECT 1\nFRM t"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "bqbroker: Syntax error: Unexpected identifier \"FRM\" at [2:1]\n  FRM t\n  ^\n");
}

TEST(QueryCommand, NeedsLoginExitsFourWithTheHint) {
  ScriptedDaemon daemon([](const Seen&) {
    return http_response(
        401, "Unauthorized",
        R"({"error":{"code":"needs_login","message":"a@b.c needs login","hint":"run `bqbroker login`"}})");
  });
  auto r = run(daemon.socket(), {"SELECT 1"});
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "bqbroker: a@b.c needs login\nhint: run `bqbroker login`\n");
}

TEST(QueryCommand, NoDaemonExitsThree) {
  bqb::testing::TempDir dir;
  auto r = run((dir.path() / "none.sock").string(), {"SELECT 1"});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("no bqbroker daemon is listening"));
}

TEST(QueryCommand, AnErrorLineAfterRowsKeepsTheRowsAndExitsOne) {
  ScriptedDaemon daemon([](const Seen&) {
    return ndjson({kJob, kSchema, kRow1,
                   R"({"type":"error","error":{"code":"backend_error","message":"BigQuery failed",)"
                   R"("reason":"backendError"}})"});
  });
  auto r = run(daemon.socket(), {"SELECT 1", "--format", "json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "[\n{\"n\":\"1\",\"s\":\"a,b\"}\n") << "the array is left open";
  EXPECT_EQ(r.err, "bqbroker: BigQuery failed\n");
}

TEST(QueryCommand, AStreamWithoutAnEndLineIsAnError) {
  ScriptedDaemon daemon([](const Seen&) { return ndjson({kJob, kSchema, kRow1}); });
  auto r = run(daemon.socket(), {"SELECT 1", "--format", "csv"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "n,s\r\n1,\"a,b\"\r\n");
  EXPECT_THAT(r.err, HasSubstr("ended before its 'end' line"));
}

TEST(QueryCommand, ReadsTheSqlFromStandardInput) {
  ScriptedDaemon daemon([](const Seen&) { return ndjson({kSchema, kRow1, end_line(1, 1)}); });
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string sql = "SELECT n,\n  s FROM t -- a:b\n";
  ASSERT_EQ(::write(fds[1], sql.data(), sql.size()), static_cast<ssize_t>(sql.size()));
  ::close(fds[1]);
  auto r = bqb::testing::run_command(&setup_query, {"--format", "ndjson"}, daemon.socket(), fds[0]);
  ::close(fds[0]);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"n\":\"1\",\"s\":\"a,b\"}\n");
  EXPECT_EQ(daemon.first("POST").body["query"], sql);
}

TEST(QueryCommand, EmptyStandardInputIsRefusedWithoutAsking) {
  ScriptedDaemon daemon([](const Seen&) { return ndjson({}); });
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[1]);
  auto r = bqb::testing::run_command(&setup_query, {"-"}, daemon.socket(), fds[0]);
  ::close(fds[0]);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("the SQL from standard input is empty"));
  EXPECT_TRUE(daemon.lines().empty());
}

TEST(QueryCommand, DryRun) {
  const std::string end =
      R"({"type":"end","total_rows":0,"rows":0,"bytes_processed":1536,"bytes_billed":0,)"
      R"("cache_hit":false,"truncated":false,"dry_run":true,"elapsed_ms":3})";
  ScriptedDaemon daemon([&](const Seen&) { return ndjson({kSchema, end}); });
  auto text = run(daemon.socket(), {"SELECT 1", "--dry-run"});
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(text.out, "dry run: the query is valid and would process 1.5 KiB (1536 bytes)\n");
  EXPECT_EQ(daemon.first("POST").body["dry_run"], true);
  auto js = run(daemon.socket(), {"SELECT 1", "--dry-run", "--format", "json"});
  EXPECT_EQ(js.code, 0) << js.err;
  EXPECT_EQ(js.out,
            R"({"dry_run":true,"bytes_processed":1536,"schema":[{"name":"n","type":"INTEGER",)"
            R"("mode":"NULLABLE"},{"name":"s","type":"STRING","mode":"NULLABLE"}]})"
            "\n");
}

TEST(QueryCommand, UsageErrorsExitTwo) {
  ScriptedDaemon daemon([](const Seen&) { return ndjson({}); });
  EXPECT_EQ(run(daemon.socket(), {"SELECT 1", "--param", "x:5"}).code, 2);
  EXPECT_EQ(run(daemon.socket(), {"SELECT 1", "--max-rows", "many"}).code, 2);
  EXPECT_EQ(run(daemon.socket(), {"SELECT 1", "--format", "xml"}).code, 2);
  EXPECT_TRUE(daemon.lines().empty());
}

}  // namespace
}  // namespace bqb::cli
