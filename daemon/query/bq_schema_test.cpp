#include "daemon/query/bq_schema.h"

#include <gtest/gtest.h>

namespace bqb::bq {
namespace {

using nlohmann::json;

TEST(BqSchema, ParsesNestedRepeatedRecordsInOrder) {
  auto s = parse_schema(json::parse(R"({"fields":[
      {"name":"id","type":"INTEGER","mode":"REQUIRED"},
      {"name":"tags","type":"STRING","mode":"REPEATED"},
      {"name":"r","type":"RECORD","mode":"REPEATED","fields":[
        {"name":"x","type":"FLOAT64"},
        {"name":"inner","type":"STRUCT","fields":[{"name":"b","type":"BOOL","mode":"NULLABLE"}]}
      ]}]})"),
                        "test");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  ASSERT_EQ(s->fields.size(), 3u);
  EXPECT_EQ(s->fields[0].type, FieldType::integer);
  EXPECT_EQ(s->fields[0].mode, FieldMode::required);
  EXPECT_EQ(s->fields[1].mode, FieldMode::repeated);
  const Field& r = s->fields[2];
  EXPECT_EQ(r.type, FieldType::record);
  ASSERT_EQ(r.fields.size(), 2u);
  EXPECT_EQ(r.fields[0].name, "x");
  EXPECT_EQ(r.fields[0].type, FieldType::float64);
  EXPECT_EQ(r.fields[1].fields.at(0).type, FieldType::boolean);
  EXPECT_EQ(r.fields[1].mode, FieldMode::nullable);
}

TEST(BqSchema, KnowsBothSpellingsOfEveryType) {
  const std::pair<const char*, FieldType> cases[] = {
      {"STRING", FieldType::string},       {"BYTES", FieldType::bytes},
      {"INTEGER", FieldType::integer},     {"INT64", FieldType::integer},
      {"FLOAT", FieldType::float64},       {"FLOAT64", FieldType::float64},
      {"NUMERIC", FieldType::numeric},     {"BIGNUMERIC", FieldType::bignumeric},
      {"BOOLEAN", FieldType::boolean},     {"BOOL", FieldType::boolean},
      {"TIMESTAMP", FieldType::timestamp}, {"DATE", FieldType::date},
      {"TIME", FieldType::time},           {"DATETIME", FieldType::datetime},
      {"GEOGRAPHY", FieldType::geography}, {"JSON", FieldType::json},
      {"INTERVAL", FieldType::interval},   {"RANGE", FieldType::range},
      {"RECORD", FieldType::record},       {"STRUCT", FieldType::record},
      {"integer", FieldType::integer},     {"VECTOR_OF_THE_FUTURE", FieldType::unknown},
  };
  for (const auto& [name, type] : cases) EXPECT_EQ(field_type_from_name(name), type) << name;
}

TEST(BqSchema, NoFieldsIsAnEmptySchema) {
  EXPECT_TRUE(parse_schema(json::object(), "t")->fields.empty());
}

TEST(BqSchema, ErrorsNameTheFieldByPath) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"fields":[{"type":"STRING"}]})", "'#0'"},
      {R"({"fields":[{"name":"a"}]})", "'a'"},
      {R"({"fields":[{"name":"a","type":"STRING","mode":"SOMETIMES"}]})", "'a'"},
      {R"({"fields":[{"name":"r","type":"RECORD"}]})", "'r'"},
      {R"({"fields":[{"name":"r","type":"RECORD","fields":[{"name":"x","type":7}]}]})", "'r.x'"},
      {R"({"fields":[1]})", "'#0'"},
      {R"({"fields":"no"})", "schema.fields"},
  };
  for (const auto& [text, name] : cases) {
    auto s = parse_schema(json::parse(text), "the jobs.query answer");
    ASSERT_FALSE(s.has_value()) << text;
    EXPECT_EQ(s.error().code, Errc::upstream_error);
    EXPECT_NE(s.error().message.find(name), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("the jobs.query answer"), std::string::npos);
  }
  EXPECT_FALSE(parse_schema(json::array(), "t").has_value());
}

TEST(BqSchema, RefusesNestingDeeperThanTheLimit) {
  json leaf = {{"name", "x"}, {"type", "STRING"}};
  for (std::size_t i = 0; i < kMaxNesting + 2; ++i) {
    leaf = {{"name", "r"}, {"type", "RECORD"}, {"fields", json::array({leaf})}};
  }
  auto s = parse_schema({{"fields", json::array({leaf})}}, "t");
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("deeper"), std::string::npos);
}

TEST(BqSchema, ToJsonKeepsOrderTypesAndModes) {
  auto s = parse_schema(json::parse(R"({"fields":[
      {"name":"z","type":"INT64"},
      {"name":"a","type":"RECORD","mode":"REPEATED","fields":[{"name":"q","type":"STRING"}]}]})"),
                        "t");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(schema_to_json(*s).dump(), R"([{"name":"z","type":"INT64","mode":"NULLABLE"},)"
                                       R"({"name":"a","type":"RECORD","mode":"REPEATED","fields":)"
                                       R"([{"name":"q","type":"STRING","mode":"NULLABLE"}]}])");
}

}  // namespace
}  // namespace bqb::bq
