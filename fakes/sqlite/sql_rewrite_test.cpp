#include "fakes/sqlite/sql_rewrite.h"

#include <gtest/gtest.h>

namespace bqb::fakes::sqlite {
namespace {

TEST(SqlRewrite, BacktickedPathsBecomeSchemaQualifiedNames) {
  EXPECT_EQ(rewrite_bigquery_sql("SELECT * FROM `bqbroker-demo.samples.names`").sql,
            R"(SELECT * FROM "samples"."names")");
  EXPECT_EQ(rewrite_bigquery_sql("SELECT * FROM `any-project.samples.names` n").sql,
            R"(SELECT * FROM "samples"."names" n)");
  EXPECT_EQ(rewrite_bigquery_sql("SELECT `n` FROM `samples.names`").sql,
            R"(SELECT "n" FROM "samples"."names")");
  EXPECT_EQ(rewrite_bigquery_sql("SELECT 1 FROM `a.b`.x").sql, R"(SELECT 1 FROM "a"."b".x)");
  EXPECT_EQ(rewrite_bigquery_sql("SELECT `we\"ird`").sql, R"(SELECT "we""ird")");
}

TEST(SqlRewrite, DoubleQuotedStringsBecomeStringLiterals) {
  EXPECT_EQ(rewrite_bigquery_sql(R"(WHERE name = "O'Brien")").sql, "WHERE name = 'O''Brien'");
  EXPECT_EQ(rewrite_bigquery_sql(R"(WHERE s = "say \"hi\"")").sql, R"(WHERE s = 'say "hi"')");
}

TEST(SqlRewrite, LiteralsAndCommentsAreLeftAlone) {
  const std::string sql = "SELECT '`not.a.path`', 'it''s \"x\"' -- `c.d`\n/* \"y\" */ FROM t";
  EXPECT_EQ(rewrite_bigquery_sql(sql).sql, sql);
  EXPECT_EQ(rewrite_bigquery_sql("SELECT 1 # a `comment`\n").sql, "SELECT 1 -- a `comment`\n");
  EXPECT_EQ(rewrite_bigquery_sql("SELECT `unterminated").sql, "SELECT `unterminated");
}

TEST(SqlRewrite, OffsetsMapBackToTheOriginal) {
  const std::string original = "SELECT x FROM `p.samples.names` WHERE bogus";
  const RewrittenSql r = rewrite_bigquery_sql(original);
  const std::size_t in_rewritten = r.sql.find("bogus");
  EXPECT_EQ(r.original_offset(in_rewritten), original.find("bogus"));
  EXPECT_EQ(r.original_offset(r.sql.find("\"names\"")), original.find('`'));  // inside: its start
  EXPECT_EQ(r.original_offset(7), 7u);
}

TEST(SqlRewrite, PositionsAreOneBasedLinesAndCharacters) {
  EXPECT_EQ(position_of("SELECT", 0), "[1:1]");
  EXPECT_EQ(position_of("SELECT 1\nFROM x", 14), "[2:6]");
  EXPECT_EQ(position_of("SELECT 'é' x", 12), "[1:12]");  // é is two bytes, one character
}

}  // namespace
}  // namespace bqb::fakes::sqlite
