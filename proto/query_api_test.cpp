#include "proto/query_api.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace bqb::api {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

json parse_line(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line only";
  return json::parse(line);
}

TEST(QueryRequest, ParsesEveryField) {
  auto r = parse_query_request(json::parse(R"({
    "query": "SELECT @x", "project": "p", "location": "EU", "account": "a@example.com",
    "use_legacy_sql": false, "parameters": [{"name": "x", "type": "INT64", "value": 1}],
    "default_dataset": "p.d", "max_rows": 0, "page_size": 500, "dry_run": true,
    "timeout_ms": 2000, "maximum_bytes_billed": "1000000000000", "labels": {"team": "x"},
    "use_query_cache": false})"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->query, "SELECT @x");
  EXPECT_EQ(r->project, "p");
  EXPECT_EQ(r->location, "EU");
  EXPECT_EQ(r->account, "a@example.com");
  EXPECT_FALSE(r->use_legacy_sql);
  ASSERT_EQ(r->parameters.size(), 1u);
  EXPECT_EQ(r->parameters[0]["name"], "x");
  EXPECT_EQ(r->default_dataset, "p.d");
  EXPECT_EQ(r->max_rows, 0);
  EXPECT_EQ(r->page_size, 500);
  EXPECT_TRUE(r->dry_run);
  EXPECT_EQ(r->timeout_ms, 2000);
  EXPECT_EQ(r->maximum_bytes_billed, 1000000000000);
  EXPECT_EQ(r->labels.at("team"), "x");
  EXPECT_EQ(r->use_query_cache, false);
}

TEST(QueryRequest, RoundTripsThroughToJson) {
  QueryRequest r;
  r.query = "SELECT 1";
  r.project = "p";
  r.use_legacy_sql = true;
  r.parameters = json::array({{{"type", "STRING"}, {"value", "a"}}});
  r.max_rows = 10;
  r.maximum_bytes_billed = 5;
  r.labels = {{"k", "v"}};
  r.use_query_cache = true;
  auto back = parse_query_request(to_json(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(to_json(*back), to_json(r));
  QueryRequest minimal;
  minimal.query = "q";
  EXPECT_EQ(to_json(minimal), json({{"query", "q"}}));
}

TEST(QueryRequest, MinimalRequestHasDefaults) {
  auto r = parse_query_request(json{{"query", "SELECT 1"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->project);
  EXPECT_FALSE(r->use_legacy_sql);
  EXPECT_TRUE(r->parameters.is_array());
  EXPECT_TRUE(r->parameters.empty());
  EXPECT_FALSE(r->dry_run);
  EXPECT_FALSE(r->max_rows);
}

TEST(QueryRequest, RefusesUnknownFieldsNamingThem) {
  auto r = parse_query_request(json{{"query", "SELECT 1"}, {"useLegacySql", true}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::bad_request);
  EXPECT_NE(r.error().message.find("'useLegacySql'"), std::string::npos) << r.error().message;
}

TEST(QueryRequest, RefusesBadValuesNamingTheField) {
  struct Case {
    const char* body;
    Errc code;
    const char* field;
  };
  for (const Case& c : {
           Case{R"({})", Errc::invalid_json, "'query'"},
           Case{R"({"query": ""})", Errc::bad_request, "'query'"},
           Case{R"({"query": 1})", Errc::invalid_json, "'query'"},
           Case{R"({"query": "q", "project": ""})", Errc::bad_request, "'project'"},
           Case{R"({"query": "q", "max_rows": -1})", Errc::bad_request, "'max_rows'"},
           Case{R"({"query": "q", "page_size": 0})", Errc::bad_request, "'page_size'"},
           Case{R"({"query": "q", "timeout_ms": 1.5})", Errc::invalid_json, "'timeout_ms'"},
           Case{R"({"query": "q", "maximum_bytes_billed": "12x"})", Errc::invalid_json,
                "'maximum_bytes_billed'"},
           Case{R"({"query": "q", "dry_run": "yes"})", Errc::invalid_json, "'dry_run'"},
           Case{R"({"query": "q", "parameters": {}})", Errc::bad_request, "'parameters'"},
           Case{R"({"query": "q", "labels": {"a": 1}})", Errc::bad_request, "'labels'"},
           Case{R"({"query": "q", "labels": []})", Errc::bad_request, "'labels'"},
       }) {
    auto r = parse_query_request(json::parse(c.body));
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error().code, c.code) << c.body;
    EXPECT_NE(r.error().message.find(c.field), std::string::npos)
        << c.body << ": " << r.error().message;
  }
  EXPECT_FALSE(parse_query_request(json::array()));
}

TEST(QueryLines, JobLineHasJobIdOrQueryId) {
  EXPECT_EQ(parse_line(job_line({"p", "job_1", std::nullopt, "US"})),
            json({{"type", "job"}, {"project", "p"}, {"job_id", "job_1"}, {"location", "US"}}));
  EXPECT_EQ(parse_line(job_line({"p", std::nullopt, "q1", ""})),
            json({{"type", "job"}, {"project", "p"}, {"query_id", "q1"}, {"location", ""}}));
}

TEST(QueryLines, SchemaAndRowKeepColumnOrder) {
  ordered_json row;
  row["z"] = "1";
  row["a"] = nullptr;
  row["m"] = ordered_json::array({1.5, "NaN"});
  EXPECT_EQ(row_line(row), R"({"type":"row","row":{"z":"1","a":null,"m":[1.5,"NaN"]}})"
                           "\n");
  ordered_json fields =
      ordered_json::array({{{"name", "z"}, {"type", "INTEGER"}, {"mode", "NULLABLE"}}});
  EXPECT_EQ(schema_line(fields),
            R"({"type":"schema","fields":[{"name":"z","type":"INTEGER","mode":"NULLABLE"}]})"
            "\n");
}

TEST(QueryLines, InvalidUtf8DoesNotThrow) {
  ordered_json row;
  row["s"] = std::string(
      "a\xff"
      "b");
  std::string line;
  EXPECT_NO_THROW(line = row_line(row));
  EXPECT_EQ(parse_line(line)["row"]["s"],
            "a\xEF\xBF\xBD"
            "b");
}

TEST(QueryLines, ProgressAndEnd) {
  EXPECT_EQ(parse_line(progress_line({1234, "RUNNING"})),
            json({{"type", "progress"}, {"elapsed_ms", 1234}, {"state", "RUNNING"}}));
  QueryEnd e;
  e.total_rows = 10;
  e.rows = 3;
  e.bytes_processed = 100;
  e.bytes_billed = 200;
  e.cache_hit = true;
  e.truncated = true;
  e.elapsed_ms = 7;
  auto j = parse_line(end_line(e));
  EXPECT_EQ(j, json({{"type", "end"},
                     {"total_rows", 10},
                     {"rows", 3},
                     {"bytes_processed", 100},
                     {"bytes_billed", 200},
                     {"cache_hit", true},
                     {"truncated", true},
                     {"dry_run", false},
                     {"elapsed_ms", 7}}));
  e.num_dml_affected_rows = 4;
  EXPECT_EQ(parse_line(end_line(e))["num_dml_affected_rows"], 4);
}

TEST(QueryLines, ErrorLineAndEnvelopeCarryReasonAndPosition) {
  QueryError e{{Errc::invalid_query, "Syntax error at [1:8]", "fix the SQL"}, "invalidQuery", 1, 8};
  const json inner = {{"code", "invalid_query"},
                      {"message", "Syntax error at [1:8]"},
                      {"hint", "fix the SQL"},
                      {"reason", "invalidQuery"},
                      {"line", 1},
                      {"column", 8}};
  EXPECT_EQ(parse_line(error_line(e)), json({{"type", "error"}, {"error", inner}}));
  EXPECT_EQ(query_error_body(e), json({{"error", inner}}));
  QueryError plain{{Errc::needs_login, "no account", ""}, "", std::nullopt, std::nullopt};
  EXPECT_EQ(query_error_body(plain),
            json({{"error", {{"code", "needs_login"}, {"message", "no account"}}}}));
}

TEST(JobCancelResult, HasItsFourFields) {
  EXPECT_EQ(to_json(JobCancelResult{"p", "j", "US", "DONE"}),
            json({{"project", "p"}, {"job_id", "j"}, {"location", "US"}, {"state", "DONE"}}));
}

}  // namespace
}  // namespace bqb::api
