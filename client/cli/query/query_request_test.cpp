// `bqbroker query`'s request: --param splitting, where the SQL comes from, the POST /v1/query
// body.

#include <gtest/gtest.h>

#include "client/cli/query/query_request.h"

namespace bqb::cli {
namespace {

using nlohmann::json;

TEST(QueryParam, SplitsAtTheFirstTwoColonsOnly) {
  EXPECT_EQ(split_param("n:INT64:5"), (CliParam{"n", "INT64", "5"}));
  EXPECT_EQ(split_param("t:TIME:12:30:00"), (CliParam{"t", "TIME", "12:30:00"}));
  EXPECT_EQ(split_param("s::a:b"), (CliParam{"s", "", "a:b"})) << "empty TYPE: the daemon's STRING";
  EXPECT_EQ(split_param(":DATE:2024-01-31"), (CliParam{"", "DATE", "2024-01-31"}));
  EXPECT_EQ(split_param("e:STRING:"), (CliParam{"e", "STRING", ""})) << "an empty string";
  EXPECT_EQ(split_param("x:INT64:NULL"), (CliParam{"x", "INT64", std::nullopt}));
  EXPECT_EQ(split_param("s:STRUCT<a INT64, b STRING>:{\"a\":1,\"b\":\"x:y\"}"),
            (CliParam{"s", "STRUCT<a INT64, b STRING>", "{\"a\":1,\"b\":\"x:y\"}"}));
}

TEST(QueryParam, FewerThanTwoColonsIsAnErrorNamingTheParameter) {
  for (const char* bad : {"n", "n:5", ""}) {
    auto p = split_param(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().code, Errc::bad_request);
    EXPECT_NE(p.error().message.find("name:TYPE:value"), std::string::npos);
  }
  EXPECT_NE(split_param("count:5").error().message.find("'count'"), std::string::npos);
}

TEST(QueryParam, JsonForm) {
  EXPECT_EQ(param_json({"n", "INT64", "5"}),
            (json{{"name", "n"}, {"type", "INT64"}, {"value", "5"}}));
  EXPECT_EQ(param_json({"", "DATE", "2024-01-31"}),
            (json{{"type", "DATE"}, {"value", "2024-01-31"}}))
      << "positional: no name";
  EXPECT_EQ(param_json({"x", "INT64", std::nullopt}),
            (json{{"name", "x"}, {"type", "INT64"}, {"value", nullptr}}));
  EXPECT_EQ(param_json({"ids", "ARRAY<INT64>", "[1,2]"}),
            (json{{"name", "ids"}, {"type", "ARRAY<INT64>"}, {"value", "[1,2]"}}))
      << "ARRAY/STRUCT values travel as JSON text";
}

TEST(QuerySqlSource, ArgumentDashOrStdin) {
  EXPECT_EQ(choose_sql_source(std::string("SELECT 1"), true), SqlSource::argument);
  EXPECT_EQ(choose_sql_source(std::string("SELECT 1"), false), SqlSource::argument);
  EXPECT_EQ(choose_sql_source(std::string("-"), true), SqlSource::standard_input);
  EXPECT_EQ(choose_sql_source(std::string("-"), false), SqlSource::standard_input);
  EXPECT_EQ(choose_sql_source(std::nullopt, false), SqlSource::standard_input) << "piped";
  auto none = choose_sql_source(std::nullopt, true);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::bad_request);
  EXPECT_NE(none.error().hint.find("standard input"), std::string::npos);
}

TEST(QuerySqlSource, BlankSqlIsRefused) {
  EXPECT_EQ(non_empty_sql("SELECT 1", "the argument"), "SELECT 1");
  auto blank = non_empty_sql(" \n\t", "standard input");
  ASSERT_FALSE(blank);
  EXPECT_NE(blank.error().message.find("standard input"), std::string::npos);
}

TEST(QueryBody, OnlyWhatWasGiven) {
  EXPECT_EQ(query_body(QueryRequest{}, "SELECT 1"),
            (json{{"query", "SELECT 1"}, {"use_legacy_sql", false}}));
  QueryRequest r;
  r.project = "p";
  r.location = "EU";
  r.account = "a@b.c";
  r.default_dataset = "p.d";
  r.params = {{"n", "INT64", "5"}, {"", "STRING", std::nullopt}};
  r.legacy_sql = true;
  r.dry_run = true;
  r.max_rows = 10;
  r.page_size = 500;
  r.max_bytes_billed = 1000000;
  EXPECT_EQ(query_body(r, "SELECT @n"),
            (json{{"query", "SELECT @n"},
                  {"use_legacy_sql", true},
                  {"project", "p"},
                  {"location", "EU"},
                  {"account", "a@b.c"},
                  {"default_dataset", "p.d"},
                  {"parameters", json::array({{{"name", "n"}, {"type", "INT64"}, {"value", "5"}},
                                              {{"type", "STRING"}, {"value", nullptr}}})},
                  {"dry_run", true},
                  {"max_rows", 10},
                  {"page_size", 500},
                  {"maximum_bytes_billed", 1000000}}));
}

}  // namespace
}  // namespace bqb::cli
