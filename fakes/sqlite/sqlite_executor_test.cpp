// The SQLite executor on a small dataset of its own (values the test states) and on the shipped
// sample: schema from declared types, identifier rewriting, parameters, errors, read-only.

#include "fakes/sqlite/sqlite_executor.h"

#include <gtest/gtest.h>

#include "fakes/sqlite/sample_sql.h"

namespace bqb::fakes::sqlite {
namespace {

using fakes::bigquery::QueryOutput;
using fakes::bigquery::QueryRequest;
using nlohmann::json;

constexpr std::string_view kScript = R"sql(
ATTACH ':memory:' AS shop;
CREATE TABLE shop.__bq_types (name TEXT PRIMARY KEY, field TEXT NOT NULL);
INSERT INTO shop.__bq_types VALUES ('LABELS', '{"type":"STRING","mode":"REPEATED"}');
CREATE TABLE shop.items (
  id INT64, price NUMERIC TEXT, weight FLOAT64, ok BOOL, name STRING TEXT, raw BYTES BLOB,
  day DATE TEXT, at TIMESTAMP TEXT, doc JSON TEXT, labels LABELS TEXT);
INSERT INTO shop.items VALUES
  (1, '1.10', 0.5, 1, '0123', X'0001', '2024-01-02', '2024-01-02 03:04:05.000006+00:00',
   '{"a":1}', '["x","y"]'),
  (2, '2.00', 1.5, 0, '', NULL, '2024-02-03', '1970-01-01 00:00:00.000000+00:00', 'null', NULL),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '[]');
)sql";

class SqliteExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = SqliteExecutor::open(kScript, "the test script");
    ASSERT_TRUE(e) << e.error().message;
    executor_ = std::move(*e);
  }
  tl::expected<QueryOutput, fakes::bigquery::ScriptedError> run(std::string sql,
                                                                json params = nullptr,
                                                                std::string mode = "") {
    return executor_->execute(
        QueryRequest{"any-project", std::move(sql), std::move(mode), std::move(params)});
  }
  QueryOutput ok(std::string sql, json params = nullptr, std::string mode = "") {
    auto r = run(sql, std::move(params), std::move(mode));
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().message);
    return r ? *r : QueryOutput{};
  }
  std::string error(std::string sql, json params = nullptr, std::string mode = "") {
    auto r = run(sql, std::move(params), std::move(mode));
    EXPECT_FALSE(r) << sql;
    return r ? std::string() : r.error().reason + ": " + r.error().message;
  }
  static json cell(const QueryOutput& o, std::size_t row, std::size_t col) {
    return o.rows[row]["f"][col]["v"];
  }

  std::unique_ptr<SqliteExecutor> executor_;
};

TEST_F(SqliteExecutorTest, DeclaredTypesGiveTheSchemaAndValuesTheirBigQueryForm) {
  QueryOutput o = ok("SELECT * FROM `my-project.shop.items` ORDER BY id");
  std::vector<std::string> types;
  for (const auto& f : o.schema["fields"]) types.push_back(f["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"INTEGER", "NUMERIC", "FLOAT", "BOOLEAN", "STRING",
                                             "BYTES", "DATE", "TIMESTAMP", "JSON", "STRING"}));
  EXPECT_EQ(o.schema["fields"][9]["mode"], "REPEATED");
  EXPECT_EQ(o.schema["fields"][0]["name"], "id");
  ASSERT_EQ(o.rows.size(), 3u);
  EXPECT_EQ(cell(o, 0, 0), "1");
  EXPECT_EQ(cell(o, 0, 1), "1.10");  // NUMERIC stays exact text
  EXPECT_EQ(cell(o, 0, 2), "0.5");
  EXPECT_EQ(cell(o, 0, 3), "true");
  EXPECT_EQ(cell(o, 0, 4), "0123");  // STRING TEXT keeps leading zeros
  EXPECT_EQ(cell(o, 0, 5), "AAE=");
  EXPECT_EQ(cell(o, 0, 6), "2024-01-02");
  EXPECT_EQ(cell(o, 0, 7), "1704164645000006");
  EXPECT_EQ(cell(o, 0, 8), "{\"a\":1}");
  EXPECT_EQ(cell(o, 0, 9), json::parse(R"([{"v":"x"},{"v":"y"}])"));
  EXPECT_EQ(cell(o, 1, 3), "false");
  EXPECT_EQ(cell(o, 1, 4), "");  // empty string, not NULL
  EXPECT_TRUE(cell(o, 2, 4).is_null());
  EXPECT_EQ(cell(o, 1, 7), "0");
  EXPECT_EQ(cell(o, 1, 9), json::array());  // NULL array → []
}

TEST_F(SqliteExecutorTest, ExpressionsAreTypedByTheirValuesAndAnonymousOnesNamedF0) {
  QueryOutput o =
      ok("SELECT COUNT(*), SUM(weight), AVG(id) AS mean, MAX(name), 1 + 1 "
         "FROM shop.items");
  const json& f = o.schema["fields"];
  EXPECT_EQ(f[0]["name"], "f0_");
  EXPECT_EQ(f[0]["type"], "INTEGER");
  EXPECT_EQ(f[1]["name"], "f1_");
  EXPECT_EQ(f[1]["type"], "FLOAT");
  EXPECT_EQ(f[2]["name"], "mean");
  EXPECT_EQ(f[2]["type"], "FLOAT");
  EXPECT_EQ(f[3]["type"], "STRING");
  EXPECT_EQ(f[4]["name"], "f3_");
  EXPECT_EQ(cell(o, 0, 0), "3");
  EXPECT_EQ(cell(o, 0, 1), "2");
  EXPECT_EQ(cell(o, 0, 2), "2");
  EXPECT_EQ(cell(o, 0, 4), "2");
}

TEST_F(SqliteExecutorTest, BigQueryQuotingIsRewritten) {
  QueryOutput o = ok("SELECT `id` FROM `shop.items` WHERE doc = \"null\" # a comment");
  ASSERT_EQ(o.rows.size(), 1u);
  EXPECT_EQ(cell(o, 0, 0), "2");
  EXPECT_EQ(ok("SELECT id FROM shop.items WHERE id = 3").rows.size(), 1u);
}

TEST_F(SqliteExecutorTest, NamedAndPositionalParameters) {
  const json named = json::parse(R"([
    {"name":"since","parameterType":{"type":"TIMESTAMP"},"parameterValue":{"value":"2000-01-01T00:00:00Z"}},
    {"name":"ids","parameterType":{"type":"ARRAY","arrayType":{"type":"INT64"}},
     "parameterValue":{"arrayValues":[{"value":"1"},{"value":"2"}]}}])");
  QueryOutput o =
      ok("SELECT id FROM shop.items WHERE at >= @since AND id IN "
         "(SELECT value FROM json_each(@IDS))",
         named, "NAMED");
  ASSERT_EQ(o.rows.size(), 1u);
  EXPECT_EQ(cell(o, 0, 0), "1");
  const json positional = json::parse(R"([
    {"parameterType":{"type":"STRING"},"parameterValue":{"value":""}},
    {"parameterType":{"type":"BOOL"},"parameterValue":{"value":"false"}}])");
  o = ok("SELECT id FROM shop.items WHERE name = ? AND ok = ?", positional, "POSITIONAL");
  ASSERT_EQ(o.rows.size(), 1u);
  EXPECT_EQ(cell(o, 0, 0), "2");

  EXPECT_NE(
      error("SELECT @missing", named, "NAMED").find("Query parameter 'missing' not found at [1:8]"),
      std::string::npos);
  EXPECT_NE(error("SELECT ?, ?, ?", positional, "POSITIONAL").find("positional"),
            std::string::npos);
  EXPECT_NE(error("SELECT ?", json::array(), "POSITIONAL"), "");
  EXPECT_NE(error("SELECT :x").find("@name"), std::string::npos);
}

TEST_F(SqliteExecutorTest, SqliteErrorsAreInvalidQueryWithThePositionInTheOriginalText) {
  const std::string e = error("SELECT id\nFROM `p.shop.items`\nWHERE nope = 1");
  EXPECT_EQ(e, "invalidQuery: no such column: nope at [3:7]");
  EXPECT_NE(error("SELECT * FORM x").find("syntax error"), std::string::npos);
  EXPECT_NE(error("SELECT * FROM `p.shop.missing`").find("no such table: shop.missing"),
            std::string::npos);
  EXPECT_NE(error("   ").find("empty"), std::string::npos);
}

TEST_F(SqliteExecutorTest, OnlyOneReadOnlySelectRuns) {
  for (const char* sql :
       {"DELETE FROM shop.items", "INSERT INTO shop.items (id) VALUES (9)",
        "UPDATE shop.items SET id = 9", "DROP TABLE shop.items", "CREATE TABLE shop.x (a)",
        "ATTACH '/tmp/x.db' AS x", "PRAGMA query_only = 0", "BEGIN", "VACUUM"}) {
    const std::string e = error(sql);
    EXPECT_TRUE(e.starts_with("invalidQuery: ")) << sql << " → " << e;
  }
  EXPECT_NE(error("SELECT 1; DELETE FROM shop.items").find("one statement"), std::string::npos);
  EXPECT_EQ(ok("SELECT COUNT(*) FROM shop.items").rows[0]["f"][0]["v"], "3");
  EXPECT_EQ(ok("SELECT 1;").rows.size(), 1u);  // a trailing semicolon is fine
}

TEST_F(SqliteExecutorTest, RunawayQueriesHitTheLimits) {
  auto e = SqliteExecutor::open(kScript, "the test script", {10, std::chrono::milliseconds(50)});
  ASSERT_TRUE(e);
  auto rows = (*e)->execute({"p",
                             "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) "
                             "SELECT i FROM c LIMIT 11",
                             "", nullptr});
  ASSERT_FALSE(rows);
  EXPECT_NE(rows.error().message.find("more than 10 rows"), std::string::npos);
  auto slow = (*e)->execute({"p",
                             "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) "
                             "SELECT max(i) FROM c",
                             "", nullptr});
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().reason, "timeout");
}

TEST_F(SqliteExecutorTest, ABrokenScriptNamesItsSource) {
  auto e = SqliteExecutor::open("CREATE TABLE x (;", "broken.sql");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("broken.sql"), std::string::npos);
}

TEST(SampleDataset, TheReadmeQueryComputesTotals) {
  auto e = SqliteExecutor::open(sample_sql(), "the sample");
  ASSERT_TRUE(e) << e.error().message;
  auto top = (*e)->execute({"bqbroker-demo",
                            "SELECT name, SUM(n) AS total FROM `bqbroker-demo.samples.names` "
                            "GROUP BY name ORDER BY total DESC LIMIT 10",
                            "", nullptr});
  ASSERT_TRUE(top) << top.error().message;
  EXPECT_EQ(top->schema["fields"][0],
            json({{"name", "name"}, {"type", "STRING"}, {"mode", "NULLABLE"}}));
  EXPECT_EQ(top->schema["fields"][1]["type"], "INTEGER");
  ASSERT_EQ(top->rows.size(), 10u);
  std::int64_t previous = INT64_MAX;
  for (const auto& row : top->rows) {
    const std::int64_t total = std::stoll(row["f"][1]["v"].get<std::string>());
    EXPECT_LE(total, previous);
    previous = total;
  }
  // The first total is what summing that name's rows one by one gives.
  const std::string first = top->rows[0]["f"][0]["v"];
  auto rows = (*e)->execute({"p", "SELECT n FROM samples.names WHERE name = @name", "NAMED",
                             json::parse(R"([{"name":"name","parameterType":{"type":"STRING"},
                                             "parameterValue":{"value":")" +
                                         first + "\"}}]")});
  ASSERT_TRUE(rows);
  std::int64_t sum = 0;
  for (const auto& row : rows->rows) sum += std::stoll(row["f"][0]["v"].get<std::string>());
  EXPECT_EQ(std::to_string(sum), top->rows[0]["f"][1]["v"]);
  EXPECT_EQ(rows->rows.size(), 200u);  // 5 states x 40 years
}

TEST(SampleDataset, EveryColumnOfAllTypesRenders) {
  auto e = SqliteExecutor::open(sample_sql(), "the sample");
  ASSERT_TRUE(e);
  auto all = (*e)->execute({"p", "SELECT * FROM `x.samples.all_types` ORDER BY id", "", nullptr});
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->rows.size(), 1003u);
  std::vector<std::string> types;
  for (const auto& f : all->schema["fields"]) types.push_back(f["type"]);
  EXPECT_EQ(types,
            (std::vector<std::string>{"INTEGER", "INTEGER", "FLOAT", "NUMERIC", "BIGNUMERIC",
                                      "BOOLEAN", "STRING", "BYTES", "DATE", "DATETIME", "TIME",
                                      "TIMESTAMP", "JSON", "INTEGER", "RECORD", "RECORD"}));
  const json& edge = all->rows[2]["f"];  // id 0
  EXPECT_EQ(edge[0]["v"], "0");
  EXPECT_EQ(edge[1]["v"], "9223372036854775807");
  EXPECT_EQ(edge[2]["v"], "Infinity");
  EXPECT_EQ(edge[11]["v"], "253402300799999999");
  EXPECT_EQ(all->rows[0]["f"][11]["v"], "-62135596800000000");  // id -2
}

}  // namespace
}  // namespace bqb::fakes::sqlite
