#include "fakes/sqlite/bq_values.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fakes/sqlite/query_params.h"

namespace bqb::fakes::sqlite {
namespace {

using nlohmann::json;

Cell integer(std::int64_t v) { return {Cell::Kind::integer, v, 0, {}}; }
Cell real(double v) { return {Cell::Kind::real, 0, v, {}}; }
Cell text(std::string v) { return {Cell::Kind::text, 0, 0, std::move(v)}; }
Cell blob(std::string v) { return {Cell::Kind::blob, 0, 0, std::move(v)}; }

json type_of(std::string_view declared, const NamedTypes& named = {}) {
  auto f = field_for_declared_type(declared, named);
  return f ? (*f)["type"] : json();
}

TEST(BqValues, DeclaredTypesNameBigQueryTypes) {
  EXPECT_EQ(type_of("INT64"), "INTEGER");
  EXPECT_EQ(type_of("int64"), "INTEGER");
  EXPECT_EQ(type_of("FLOAT64"), "FLOAT");
  EXPECT_EQ(type_of("NUMERIC TEXT"), "NUMERIC");
  EXPECT_EQ(type_of("BIGNUMERIC TEXT"), "BIGNUMERIC");
  EXPECT_EQ(type_of("BOOL"), "BOOLEAN");
  EXPECT_EQ(type_of("STRING TEXT"), "STRING");
  EXPECT_EQ(type_of("BYTES BLOB"), "BYTES");
  EXPECT_EQ(type_of("DATE TEXT"), "DATE");
  EXPECT_EQ(type_of("DATETIME TEXT"), "DATETIME");
  EXPECT_EQ(type_of("TIME TEXT"), "TIME");
  EXPECT_EQ(type_of("TIMESTAMP TEXT"), "TIMESTAMP");
  EXPECT_EQ(type_of("JSON TEXT"), "JSON");
  EXPECT_TRUE(type_of("WHATEVER").is_null());
  const NamedTypes named = {{"TAG_LIST", json::parse(R"({"type":"INTEGER","mode":"REPEATED"})")}};
  EXPECT_EQ(field_for_declared_type("tag_list TEXT", named)->value("mode", ""), "REPEATED");
}

TEST(BqValues, ExpressionsTakeTheirValuesStorageClass) {
  auto infer = [](std::vector<Cell> cells) {
    std::vector<const Cell*> p;
    for (const auto& c : cells) p.push_back(&c);
    return infer_field(p)["type"].get<std::string>();
  };
  EXPECT_EQ(infer({integer(1), Cell{}}), "INTEGER");
  EXPECT_EQ(infer({integer(1), real(1.5)}), "FLOAT");
  EXPECT_EQ(infer({text("a"), integer(1)}), "STRING");
  EXPECT_EQ(infer({blob("x"), Cell{}}), "BYTES");
  EXPECT_EQ(infer({Cell{}}), "INTEGER");
  EXPECT_EQ(infer({}), "INTEGER");
}

TEST(BqValues, ScalarsRenderAsBigQueryStrings) {
  auto v = [](std::string type, const Cell& c) {
    return *render_cell({{"type", type}, {"mode", "NULLABLE"}}, c);
  };
  EXPECT_EQ(v("INTEGER", integer(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(v("FLOAT", real(0.1)), "0.1");
  EXPECT_EQ(v("FLOAT", real(HUGE_VAL)), "Infinity");
  EXPECT_EQ(v("FLOAT", real(-HUGE_VAL)), "-Infinity");
  EXPECT_EQ(v("BOOLEAN", integer(1)), "true");
  EXPECT_EQ(v("BOOLEAN", integer(0)), "false");
  EXPECT_EQ(v("NUMERIC", text("0.000000001")), "0.000000001");
  EXPECT_EQ(v("STRING", text("")), "");
  EXPECT_TRUE(v("STRING", Cell{}).is_null());
  EXPECT_EQ(v("BYTES", blob(std::string("\0\xff\x10", 3))), "AP8Q");
  EXPECT_EQ(v("TIMESTAMP", text("1970-01-01 00:00:01.5+00:00")), "1500000");
  EXPECT_EQ(v("TIMESTAMP", text("1969-12-31 23:59:59.999999+00:00")), "-1");
  EXPECT_EQ(v("TIMESTAMP", integer(42)), "42");
  EXPECT_FALSE(render_cell({{"type", "TIMESTAMP"}}, text("yesterday")));
}

TEST(BqValues, RepeatedAndRecordColumnsFromJsonText) {
  const json tags = {{"type", "INTEGER"}, {"mode", "REPEATED"}};
  EXPECT_EQ(*render_cell(tags, text("[1, -9223372036854775808]")),
            json::parse(R"([{"v":"1"},{"v":"-9223372036854775808"}])"));
  EXPECT_EQ(*render_cell(tags, Cell{}), json::array());
  const json lines = json::parse(R"({"type":"RECORD","mode":"REPEATED","fields":[
      {"name":"sku","type":"STRING"},{"name":"at","type":"TIMESTAMP"}]})");
  EXPECT_EQ(*render_cell(lines, text(R"([{"sku":"A","at":"1970-01-01T00:00:02Z"},{"sku":null}])")),
            json::parse(R"([{"v":{"f":[{"v":"A"},{"v":"2000000"}]}},
                            {"v":{"f":[{"v":null},{"v":null}]}}])"));
  EXPECT_FALSE(render_cell(lines, text("{not json")));
  EXPECT_FALSE(render_cell(tags, text("{\"a\":1}")));
}

TEST(BqValues, TimestampsParseAndFormat) {
  EXPECT_EQ(parse_timestamp_micros("2024-03-01"), 1709251200000000);
  EXPECT_EQ(parse_timestamp_micros("2024-03-01T00:00:00Z"), 1709251200000000);
  EXPECT_EQ(parse_timestamp_micros("2024-03-01 01:00:00+01:00"), 1709251200000000);
  EXPECT_EQ(parse_timestamp_micros("2024-03-01 00:00:00.25 UTC"), 1709251200250000);
  EXPECT_EQ(parse_timestamp_micros("0001-01-01 00:00:00"), -62135596800000000);
  EXPECT_FALSE(parse_timestamp_micros("2024-13-01"));
  EXPECT_FALSE(parse_timestamp_micros("2024-03-01 00:00:00.1234567"));
  EXPECT_FALSE(parse_timestamp_micros("2024-03-01 00:00:00 PST"));
  EXPECT_EQ(format_timestamp(1709251200250000), "2024-03-01 00:00:00.250000+00:00");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31 23:59:59.999999+00:00");
  for (std::int64_t t : {0LL, -62135596800000000LL, 253402300799999999LL, 1234567890123456LL}) {
    EXPECT_EQ(parse_timestamp_micros(format_timestamp(t)), t);
  }
}

TEST(QueryParams, ScalarsArraysAndStructs) {
  const json params = json::parse(R"([
    {"name":"n","parameterType":{"type":"INT64"},"parameterValue":{"value":"-5"}},
    {"name":"f","parameterType":{"type":"FLOAT64"},"parameterValue":{"value":"2.5"}},
    {"name":"b","parameterType":{"type":"BOOL"},"parameterValue":{"value":"true"}},
    {"name":"s","parameterType":{"type":"STRING"},"parameterValue":{"value":"Zoë"}},
    {"name":"y","parameterType":{"type":"BYTES"},"parameterValue":{"value":"AP8Q"}},
    {"name":"t","parameterType":{"type":"TIMESTAMP"},"parameterValue":{"value":"2024-03-01T00:00:00Z"}},
    {"name":"z","parameterType":{"type":"STRING"}},
    {"name":"a","parameterType":{"type":"ARRAY","arrayType":{"type":"INT64"}},
     "parameterValue":{"arrayValues":[{"value":"1"},{"value":"2"}]}},
    {"name":"r","parameterType":{"type":"STRUCT","structTypes":[{"name":"k","type":{"type":"STRING"}}]},
     "parameterValue":{"structValues":{"k":{"value":"v"}}}}])");
  auto p = parse_parameters(params, "NAMED");
  ASSERT_TRUE(p) << p.error();
  ASSERT_EQ(p->size(), 9u);
  EXPECT_EQ((*p)[0].value.integer, -5);
  EXPECT_EQ((*p)[1].value.real, 2.5);
  EXPECT_EQ((*p)[2].value.integer, 1);
  EXPECT_EQ((*p)[3].value.bytes, "Zoë");
  EXPECT_EQ((*p)[4].value.kind, Cell::Kind::blob);
  EXPECT_EQ((*p)[4].value.bytes, std::string("\0\xff\x10", 3));
  EXPECT_EQ((*p)[5].value.bytes, "2024-03-01 00:00:00.000000+00:00");
  EXPECT_EQ((*p)[6].value.kind, Cell::Kind::null);
  EXPECT_EQ((*p)[7].value.bytes, "[1,2]");
  EXPECT_EQ((*p)[8].value.bytes, R"({"k":"v"})");
}

TEST(QueryParams, MalformedParametersNameTheParameter) {
  auto bad = [](const char* text, const char* mode = "NAMED") {
    auto p = parse_parameters(json::parse(text), mode);
    return p ? std::string() : p.error();
  };
  EXPECT_NE(
      bad(R"([{"name":"n","parameterType":{"type":"INT64"},"parameterValue":{"value":"1.5"}}])")
          .find("n"),
      std::string::npos);
  EXPECT_NE(bad(R"([{"parameterType":{"type":"INT64"},"parameterValue":{"value":"1"}}])"), "");
  EXPECT_NE(bad(R"([{"name":"x","parameterType":{"type":"INT64"}}])", "POSITIONAL"), "");
  EXPECT_NE(bad(R"([{"name":"x","parameterType":{"type":"NOPE"},"parameterValue":{"value":"1"}}])"),
            "");
  EXPECT_NE(
      bad(R"([{"name":"x","parameterType":{"type":"BYTES"},"parameterValue":{"value":"@@"}}])"),
      "");
  EXPECT_NE(bad("[]", "SIDEWAYS"), "");
  EXPECT_EQ(bad(R"([{"name":"x","parameterType":{"type":"INT64"}}])", "named"), "");  // Node's case
  // Node sends numbers and booleans as JSON values, not strings.
  auto node = parse_parameters(json::parse(R"([
    {"name":"n","parameterType":{"type":"INT64"},"parameterValue":{"value":40}},
    {"name":"b","parameterType":{"type":"BOOL"},"parameterValue":{"value":true}}])"),
                               "named");
  ASSERT_TRUE(node) << node.error();
  EXPECT_EQ((*node)[0].value.integer, 40);
  EXPECT_EQ((*node)[1].value.integer, 1);
  EXPECT_NE(
      bad(R"([{"name":"x","parameterType":{"type":"INT64"},"parameterValue":{"value":[1]}}])"), "");
  EXPECT_EQ(bad("[]"), "");
}

}  // namespace
}  // namespace bqb::fakes::sqlite
