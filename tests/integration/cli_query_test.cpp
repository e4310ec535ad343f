// `bqbroker query` against the real daemon and the Google fake's BigQuery: the four formats
// byte for byte on a fixed result (every edge value, over several pages), --param in BigQuery's
// wire form, the --max-rows notice, errors with the SQL position and their exit codes, and an
// output closed early (`| head -1`) ending the CLI quietly while the daemon cancels the job.

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;

constexpr int kExitFailed = 1;
constexpr int kExitUnreachable = 3;
constexpr int kExitNeedsLogin = 4;

constexpr std::string_view kEdgeSql = "SELECT * FROM edge_cases";

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

json v(json value) { return json{{"v", std::move(value)}}; }
json record(std::vector<json> cells) { return json{{"f", std::move(cells)}}; }

/// The fixed result in BigQuery's all-strings wire form.
json edge_result() {
  const json schema = {{"fields",
                        {{{"name", "id"}, {"type", "INTEGER"}, {"mode", "NULLABLE"}},
                         {{"name", "name"}, {"type", "STRING"}, {"mode", "NULLABLE"}},
                         {{"name", "note"}, {"type", "STRING"}, {"mode", "NULLABLE"}},
                         {{"name", "score"}, {"type", "FLOAT"}, {"mode", "NULLABLE"}},
                         {{"name", "big"}, {"type", "NUMERIC"}, {"mode", "NULLABLE"}},
                         {{"name", "rec"},
                          {"type", "RECORD"},
                          {"mode", "NULLABLE"},
                          {"fields",
                           {{{"name", "x"}, {"type", "INTEGER"}, {"mode", "NULLABLE"}},
                            {{"name", "y"}, {"type", "STRING"}, {"mode", "NULLABLE"}}}}},
                         {{"name", "tags"}, {"type", "STRING"}, {"mode", "REPEATED"}}}}};
  const json rows = json::array({
      record({v("9223372036854775807"), v("a,b"), v("say \"hi\""), v("NaN"),
              v("12345678901234567890123456789.123456789"), v(record({v("1"), v("Zoë")})),
              v(json::array({v("a"), v("b")}))}),
      record({v("-9223372036854775808"), v("line1\nline2"), v(""), v("1.5"),
              v("-99999999999999999999999999999.999999999"), v(nullptr), v(json::array())}),
      record({v(nullptr), v("日本語"), v(nullptr), v("-Infinity"), v("0"),
              v(record({v(nullptr), v("")})), v(json::array({v("c,d")}))}),
  });
  return {{"query", kEdgeSql},
          {"schema", schema},
          {"rows", rows},
          {"page_size", 1},
          {"total_bytes_processed", 1536}};
}

// What the CLI prints for it (the same bytes as client/cli/query/query_format_test.cpp).
const std::vector<std::string> kNdjsonRows = {
    R"({"id":"9223372036854775807","name":"a,b","note":"say \"hi\"","score":"NaN",)"
    R"("big":"12345678901234567890123456789.123456789","rec":{"x":"1","y":"Zoë"},)"
    R"("tags":["a","b"]})",
    R"({"id":"-9223372036854775808","name":"line1\nline2","note":"","score":1.5,)"
    R"("big":"-99999999999999999999999999999.999999999","rec":null,"tags":[]})",
    R"({"id":null,"name":"日本語","note":null,"score":"-Infinity","big":"0",)"
    R"("rec":{"x":null,"y":""},"tags":["c,d"]})",
};

class CliQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_.emplace(sandbox_,
                    DaemonOptions().with_config(fmt::format(
                        "store = \"memory\"\nlog_level = \"debug\"\ndefault_project = \"proj\"\n"
                        "[oauth]\nrevoke_uri = \"{0}/revoke\"\n[bigquery]\nendpoint = \"{0}\"\n",
                        fake_.base_url())));
    ASSERT_TRUE(daemon_->wait_ready());
  }
  void login(const std::string& email = "q@example.com") {
    auto r = login_through_browser(*daemon_, fake_, email);
    ASSERT_TRUE(r) << r.error();
  }
  void script(const json& result) { fake_.control("POST", "/bigquery/results", result); }
  ProcessResult query(std::vector<std::string> args) {
    args.insert(args.begin(), "query");
    return run_cli(args, sandbox_.env());
  }
  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(log_free_of(daemon_->log(), fake_.issued_secrets()));
    }
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  std::optional<DaemonProcess> daemon_;
};

TEST_F(CliQueryTest, FormatsByteForByteOverSeveralPages) {
  login();
  script(edge_result());
  const std::string sql(kEdgeSql);

  auto nd = query({sql, "--format", "ndjson"});
  ASSERT_EQ(nd.status, ExitStatus::exited_with(0)) << nd;
  EXPECT_EQ(nd.out, kNdjsonRows[0] + "\n" + kNdjsonRows[1] + "\n" + kNdjsonRows[2] + "\n");
  EXPECT_EQ(nd.err, "");

  auto js = query({sql, "--format", "json"});
  ASSERT_EQ(js.status, ExitStatus::exited_with(0)) << js;
  EXPECT_EQ(js.out,
            "[\n" + kNdjsonRows[0] + ",\n" + kNdjsonRows[1] + ",\n" + kNdjsonRows[2] + "\n]\n");

  auto csv = query({sql, "--format", "csv"});
  ASSERT_EQ(csv.status, ExitStatus::exited_with(0)) << csv;
  EXPECT_EQ(
      csv.out,
      "id,name,note,score,big,rec,tags\r\n"
      "9223372036854775807,\"a,b\",\"say \"\"hi\"\"\",NaN,"
      "12345678901234567890123456789.123456789,\"{\"\"x\"\":\"\"1\"\",\"\"y\"\":\"\"Zoë\"\"}\","
      "\"[\"\"a\"\",\"\"b\"\"]\"\r\n"
      "-9223372036854775808,\"line1\nline2\",\"\",1.5,"
      "-99999999999999999999999999999.999999999,,[]\r\n"
      ",日本語,,-Infinity,0,\"{\"\"x\"\":null,\"\"y\"\":\"\"\"\"}\",\"[\"\"c,d\"\"]\"\r\n");

  auto pretty = query({sql});
  ASSERT_EQ(pretty.status, ExitStatus::exited_with(0)) << pretty;
  EXPECT_EQ(
      pretty.out,
      "                  id | name         | note     |     score |"
      "                                      big | rec                 | tags\n"
      "---------------------+--------------+----------+-----------+-"
      "-----------------------------------------+---------------------+----------\n"
      " 9223372036854775807 | a,b          | say \"hi\" |       NaN |"
      "  12345678901234567890123456789.123456789 | {\"x\":\"1\",\"y\":\"Zoë\"} | [\"a\",\"b\"]\n"
      "-9223372036854775808 | line1\\nline2 |          |       1.5 |"
      " -99999999999999999999999999999.999999999 | NULL                | []\n"
      "                NULL | 日本語       | NULL     | -Infinity |"
      "                                        0 | {\"x\":null,\"y\":\"\"}   | [\"c,d\"]\n"
      "3 rows, 1.5 KiB processed\n");
  EXPECT_EQ(pretty.err, "") << "nothing on stderr when it is not a terminal";

  // The rows came over several pages: the daemon followed pageToken.
  const json stats = fake_.control("GET", "/bigquery/stats");
  int paged = 0;
  for (const json& r : stats["results_log"]) paged += r.contains("pageToken") ? 1 : 0;
  EXPECT_GE(paged, 2) << stats.dump();
}

TEST_F(CliQueryTest, ParametersReachBigQueryInItsWireForm) {
  login();
  const std::string sql = "SELECT @n, @t, @ids, @z";
  script({{"query", sql},
          {"schema", {{"fields", {{{"name", "f0_"}, {"type", "INTEGER"}, {"mode", "NULLABLE"}}}}}},
          {"rows", json::array({record({v("5")})})}});
  auto r = query({sql, "--format", "csv", "--param", "n:INT64:5", "--param", "t:STRING:a:b",
                  "--param", "ids:ARRAY<INT64>:[1,2]", "--param", "z:INT64:NULL"});
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  EXPECT_EQ(r.out, "f0_\r\n5\r\n");
  const json log = fake_.control("GET", "/bigquery/stats")["query_log"];
  ASSERT_FALSE(log.empty());
  const json& sent = log.back();
  EXPECT_EQ(sent["project"], "proj");
  EXPECT_EQ(sent["useLegacySql"], false);
  EXPECT_EQ(sent["parameterMode"], "NAMED");
  const json params = sent["queryParameters"];
  ASSERT_EQ(params.size(), 4u) << sent.dump();
  EXPECT_EQ(params[0]["name"], "n");
  EXPECT_EQ(params[0]["parameterType"]["type"], "INT64");
  EXPECT_EQ(params[0]["parameterValue"]["value"], "5");
  EXPECT_EQ(params[1]["parameterValue"]["value"], "a:b") << "the value keeps later colons";
  EXPECT_EQ(params[2]["parameterType"]["arrayType"]["type"], "INT64");
  EXPECT_EQ(params[2]["parameterValue"]["arrayValues"],
            json::array({{{"value", "1"}}, {{"value", "2"}}}));
  EXPECT_FALSE(params[3]["parameterValue"].contains("value")) << "NULL: no value";
}

TEST_F(CliQueryTest, MaxRowsCutIsSaidOnStderr) {
  login();
  script(edge_result());
  auto r = query({std::string(kEdgeSql), "--format", "ndjson", "--max-rows", "2"});
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  EXPECT_EQ(r.out, kNdjsonRows[0] + "\n" + kNdjsonRows[1] + "\n");
  EXPECT_EQ(r.err, "bqbroker: warning: showing the first 2 rows of 3; --max-rows to change\n");
}

TEST_F(CliQueryTest, ErrorsAndExitCodes) {
  // Not logged in: exit 4 with the hint, nothing on stdout.
  auto no_login = query({"SELECT 1"});
  EXPECT_EQ(no_login.status, ExitStatus::exited_with(kExitNeedsLogin)) << no_login;
  EXPECT_EQ(no_login.out, "");
  EXPECT_TRUE(contains(no_login.err, "bqbroker login")) << no_login;

  login();
  // BigQuery refuses the SQL: the message with its position and the line with a caret.
  const std::string bad = "SELECT x\nFROM t WHER y";
  script({{"query", bad},
          {"schema", {{"fields", json::array()}}},
          {"rows", json::array()},
          {"error",
           {{"reason", "invalidQuery"},
            {"message", "Syntax error: Unexpected identifier \"WHER\" at [2:8]"},
            {"location", "query"}}}});
  auto invalid = query({bad});
  EXPECT_EQ(invalid.status, ExitStatus::exited_with(kExitFailed)) << invalid;
  EXPECT_EQ(invalid.out, "");
  EXPECT_TRUE(contains(invalid.err,
                       "Syntax error: Unexpected identifier \"WHER\" at [2:8]\n"
                       "  FROM t WHER y\n"
                       "         ^\n"))
      << invalid;

  // Access denied: exit 1 with BigQuery's message.
  const std::string denied = "SELECT * FROM secret";
  script({{"query", denied},
          {"schema", {{"fields", json::array()}}},
          {"rows", json::array()},
          {"error", {{"reason", "accessDenied"}, {"message", "Access Denied: Table secret"}}}});
  auto refused = query({denied});
  EXPECT_EQ(refused.status, ExitStatus::exited_with(kExitFailed)) << refused;
  EXPECT_TRUE(contains(refused.err, "Access Denied: Table secret")) << refused;

  // No daemon: exit 3.
  auto env = sandbox_.env();
  auto gone =
      run_cli({"--socket", (sandbox_.root() / "nothing.sock").string(), "query", "SELECT 1"}, env);
  EXPECT_EQ(gone.status, ExitStatus::exited_with(kExitUnreachable)) << gone;
}

TEST_F(CliQueryTest, ClosingTheOutputEarlyEndsQuietlyAndCancelsTheJob) {
  login();
  const std::string sql = "SELECT n FROM slow";
  json rows = json::array();
  for (int i = 0; i < 50; ++i) rows.push_back(record({v(std::to_string(i))}));
  script({{"query", sql},
          {"schema", {{"fields", {{{"name", "n"}, {"type", "INTEGER"}, {"mode", "NULLABLE"}}}}}},
          {"rows", rows},
          {"page_size", 1},
          {"page_delay_ms", 100}});

  int out[2], err[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(err, O_CLOEXEC), 0);
  Child cli({cli_binary(), "query", sql, "--format", "csv"}, sandbox_.env(), out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);

  // Read up to the first line (the header), as `head -1` does, then close the pipe.
  std::string got;
  const auto deadline = Clock::now() + 20s;
  while (got.find('\n') == std::string::npos) {
    pollfd p{out[0], POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, remaining_ms(deadline)), 1) << "no output within 20 s";
    char buf[256];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    ASSERT_GT(n, 0) << "stdout closed before the first line";
    got.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_TRUE(got.starts_with("n\r\n")) << got;
  EXPECT_TRUE(cli.running()) << "the first line came before the last page (50 pages, 100 ms each)";
  ::close(out[0]);

  const ExitStatus status = cli.wait(20s);
  EXPECT_EQ(status, ExitStatus::exited_with(0)) << "a closed pipe ends the query quietly";
  std::string err_text;
  char buf[4096];
  for (ssize_t n; (n = ::read(err[0], buf, sizeof buf)) > 0;) {
    err_text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(err[0]);
  EXPECT_EQ(err_text, "");

  // The daemon saw the connection close and cancels the job: poll the fake's record of it, a
  // bounded retry on an observable condition.
  json stats;
  const auto cancel_deadline = Clock::now() + 10s;
  for (;;) {
    stats = fake_.control("GET", "/bigquery/stats");
    if (!stats["cancelled"].empty() || Clock::now() > cancel_deadline) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_FALSE(stats["cancelled"].empty()) << stats.dump();
}

}  // namespace
}  // namespace bqb::itest
