#include "daemon/query/bq_value.h"

#include <gtest/gtest.h>

namespace bqb::bq {
namespace {

using nlohmann::json;

Schema schema(const char* text) {
  auto s = parse_schema(json::parse(text), "test schema");
  EXPECT_TRUE(s.has_value()) << s.error().message;
  return s.value_or(Schema{});
}

Field field(const char* type, const char* mode = "NULLABLE") {
  return schema((std::string(R"({"fields":[{"name":"c","type":")") + type + R"(","mode":")" + mode +
                 "\"}]}")
                    .c_str())
      .fields.at(0);
}

/// @returns the cell `v` of the column `f` converted, through a one-column row.
Result<nlohmann::ordered_json> convert_cell(const Field& f, const json& v, std::string_view where) {
  BQB_TRY(row, convert_row(Schema{{f}}, json{{"f", json::array({json{{"v", v}}})}}, where));
  return row.at(f.name);
}

/// @returns the converted value of `v` (a JSON text) as a column of `type`, dumped.
std::string conv(const char* type, const char* v) {
  auto r = convert_cell(field(type), json::parse(v), "test");
  if (!r) return "ERROR: " + r.error().message;
  return r->dump();
}

TEST(BqValue, IntegersAreStringsWithEveryDigit) {
  EXPECT_EQ(conv("INTEGER", R"("42")"), R"("42")");
  EXPECT_EQ(conv("INT64", R"("9223372036854775807")"), R"("9223372036854775807")");
  EXPECT_EQ(conv("INTEGER", R"("-9223372036854775808")"), R"("-9223372036854775808")");
  // Never by value: a STRING column of digits stays the string it is.
  EXPECT_EQ(conv("STRING", R"("0042")"), R"("0042")");
}

TEST(BqValue, NumericKeepsAllDigits) {
  const char* n38 = R"("12345678901234567890123456789.123456789")";
  EXPECT_EQ(conv("NUMERIC", n38), n38);
  EXPECT_EQ(conv("NUMERIC", R"("99999999999999999999999999999.999999999")"),
            R"("99999999999999999999999999999.999999999")");
  const char* big =
      R"("-578960446186580977117854925043439539266.34992332820282019728792003956564819967")";
  EXPECT_EQ(conv("BIGNUMERIC", big), big);
  EXPECT_EQ(conv("BIGNUMERIC", R"("1E+38")"), R"("1E+38")");
  EXPECT_EQ(conv("NUMERIC", R"(".5")"), R"(".5")");
}

TEST(BqValue, FloatsAreNumbersExceptNonFinite) {
  EXPECT_EQ(conv("FLOAT", R"("1.5")"), "1.5");
  EXPECT_EQ(conv("FLOAT64", R"("-2.5E-300")"), "-2.5e-300");
  EXPECT_EQ(conv("FLOAT", R"("3")"), "3.0");
  EXPECT_EQ(conv("FLOAT", R"("0.1")"), "0.1");
  EXPECT_EQ(conv("FLOAT", R"("NaN")"), R"("NaN")");
  EXPECT_EQ(conv("FLOAT", R"("Infinity")"), R"("Infinity")");
  EXPECT_EQ(conv("FLOAT", R"("-Infinity")"), R"("-Infinity")");
  EXPECT_EQ(conv("FLOAT", "null"), "null");
}

TEST(BqValue, NaNNeverBecomesNull) {
  auto s = schema(R"({"fields":[{"name":"f","type":"FLOAT","mode":"REPEATED"}]})");
  auto r = convert_row(s, json::parse(R"({"f":[{"v":[{"v":"NaN"},{"v":"1"},{"v":"-Infinity"}]}]})"),
                       "t");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->dump(), R"({"f":["NaN",1.0,"-Infinity"]})");
}

TEST(BqValue, BooleansBytesAndStrings) {
  EXPECT_EQ(conv("BOOLEAN", R"("true")"), "true");
  EXPECT_EQ(conv("BOOL", R"("false")"), "false");
  EXPECT_EQ(conv("BYTES", R"("3q2+7w==")"), R"("3q2+7w==")");
  EXPECT_EQ(conv("BYTES", R"("")"), R"("")");
  EXPECT_EQ(conv("STRING", R"("")"), R"("")");
  EXPECT_EQ(conv("STRING", "null"), "null");
  EXPECT_EQ(conv("STRING", R"("zoë 日本 🎉")"), R"("zoë 日本 🎉")");
}

TEST(BqValue, StringLikeTypesPassThrough) {
  EXPECT_EQ(conv("DATE", R"("2024-02-29")"), R"("2024-02-29")");
  EXPECT_EQ(conv("DATETIME", R"("2024-02-29T23:59:59.123456")"), R"("2024-02-29T23:59:59.123456")");
  EXPECT_EQ(conv("TIME", R"("12:00:00")"), R"("12:00:00")");
  EXPECT_EQ(conv("GEOGRAPHY", R"x("POINT(1 2)")x"), R"x("POINT(1 2)")x");
  EXPECT_EQ(conv("JSON", R"("{\"a\":1}")"), R"("{\"a\":1}")");
  EXPECT_EQ(conv("INTERVAL", R"("1-2 3 4:5:6.789")"), R"("1-2 3 4:5:6.789")");
  EXPECT_EQ(conv("RANGE", R"x("[2024-01-01, UNBOUNDED)")x"), R"x("[2024-01-01, UNBOUNDED)")x");
  EXPECT_EQ(conv("SOMETHING_NEW", R"("x")"), R"("x")");
}

TEST(BqValue, TimestampsFromInt64Microseconds) {
  EXPECT_EQ(conv("TIMESTAMP", R"("0")"), R"("1970-01-01T00:00:00.000000Z")");
  EXPECT_EQ(conv("TIMESTAMP", R"("1433836800000000")"), R"("2015-06-09T08:00:00.000000Z")");
  EXPECT_EQ(conv("TIMESTAMP", R"("1709251199123456")"), R"("2024-02-29T23:59:59.123456Z")");
  EXPECT_EQ(conv("TIMESTAMP", R"("-1")"), R"("1969-12-31T23:59:59.999999Z")");
  EXPECT_EQ(conv("TIMESTAMP", R"("-62135596800000000")"), R"("0001-01-01T00:00:00.000000Z")");
  EXPECT_EQ(conv("TIMESTAMP", R"("253402300799999999")"), R"("9999-12-31T23:59:59.999999Z")");
  EXPECT_EQ(conv("TIMESTAMP", R"("-2208988800000001")"), R"("1899-12-31T23:59:59.999999Z")");
}

TEST(BqValue, TimestampsFromFloatSeconds) {
  EXPECT_EQ(conv("TIMESTAMP", R"("1.4338368E9")"), R"("2015-06-09T08:00:00.000000Z")");
  EXPECT_EQ(conv("TIMESTAMP", R"("1.5")"), R"("1970-01-01T00:00:01.500000Z")");
}

TEST(BqValue, TimestampsOutOfRangeAreErrors) {
  EXPECT_NE(conv("TIMESTAMP", R"("253402300800000000")").find("0001..9999"), std::string::npos);
  EXPECT_NE(conv("TIMESTAMP", R"("-62135596800000001")").find("0001..9999"), std::string::npos);
  EXPECT_FALSE(format_timestamp_micros(INT64_MIN).has_value());
}

TEST(BqValue, RowsAreObjectsInSchemaOrder) {
  auto s = schema(R"({"fields":[{"name":"z","type":"INTEGER"},{"name":"a","type":"STRING"},
                                {"name":"m","type":"BOOLEAN"}]})");
  auto r = convert_row(s, json::parse(R"({"f":[{"v":"1"},{"v":null},{"v":"true"}]})"), "t");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->dump(), R"({"z":"1","a":null,"m":true})");
}

TEST(BqValue, NestedRepeatedRecords) {
  auto s = schema(R"({"fields":[
      {"name":"id","type":"INTEGER"},
      {"name":"items","type":"RECORD","mode":"REPEATED","fields":[
        {"name":"sku","type":"STRING"},
        {"name":"qty","type":"INTEGER"},
        {"name":"dims","type":"FLOAT","mode":"REPEATED"},
        {"name":"meta","type":"RECORD","fields":[{"name":"ok","type":"BOOLEAN"}]}]},
      {"name":"empty","type":"STRING","mode":"REPEATED"},
      {"name":"nullrec","type":"RECORD","fields":[{"name":"x","type":"STRING"}]}]})");
  const char* row = R"({"f":[
      {"v":"7"},
      {"v":[{"v":{"f":[{"v":"a"},{"v":"2"},{"v":[{"v":"1.5"}]},{"v":{"f":[{"v":"true"}]}}]}},
            {"v":{"f":[{"v":"b"},{"v":null},{"v":[]},{"v":null}]}}]},
      {"v":[]},
      {"v":null}]})";
  auto r = convert_row(s, json::parse(row), "t");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->dump(),
            R"({"id":"7","items":[{"sku":"a","qty":"2","dims":[1.5],"meta":{"ok":true}},)"
            R"({"sku":"b","qty":null,"dims":[],"meta":null}],"empty":[],"nullrec":null})");
}

TEST(BqValue, NullRepeatedIsEmptyArray) {
  EXPECT_EQ(convert_cell(field("STRING", "REPEATED"), json(), "t")->dump(), "[]");
}

TEST(BqValue, BadScalarsNameTheColumnAndType) {
  const std::pair<const char*, const char*> cases[] = {
      {"INTEGER", R"("12a")"},   {"INTEGER", R"("9223372036854775808")"},
      {"INTEGER", R"("")"},      {"INTEGER", "12"},
      {"NUMERIC", R"("1.2.3")"}, {"NUMERIC", R"("abc")"},
      {"NUMERIC", R"("-")"},     {"FLOAT", R"("1.5x")"},
      {"FLOAT", R"("")"},        {"FLOAT", "1.5"},
      {"BOOLEAN", R"("yes")"},   {"BYTES", R"("abc")"},
      {"BYTES", R"("ab!=")"},    {"TIMESTAMP", R"("yesterday")"},
      {"STRING", R"({"a":1})"},  {"DATE", "[]"},
  };
  for (const auto& [type, v] : cases) {
    auto r = convert_cell(field(type), json::parse(v), "row 3 of the answer");
    ASSERT_FALSE(r.has_value()) << type << " " << v;
    EXPECT_EQ(r.error().code, Errc::upstream_error);
    EXPECT_NE(r.error().message.find("column 'c' (" + std::string(type) + ")"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("row 3 of the answer"), std::string::npos);
  }
}

TEST(BqValue, BadShapesNameThePath) {
  auto s = schema(R"({"fields":[{"name":"r","type":"RECORD","mode":"REPEATED","fields":[
                      {"name":"a","type":"STRING"},{"name":"n","type":"INTEGER"}]}]})");
  const std::pair<const char*, const char*> cases[] = {
      {R"({"f":[{"v":[{"v":{"f":[{"v":"x"},{"v":"1"}]}},{"v":{"f":[{"v":"y"},{"v":"q"}]}}]}]})",
       "'r[1].n'"},
      {R"({"f":[{"v":[{"v":{"f":[{"v":"x"}]}}]}]})", "'r[0]'"},
      {R"({"f":[{"v":[{"x":1}]}]})", "'r[0]'"},
      {R"({"f":[{"v":{"f":[]}}]})", "'r'"},
      {R"({"f":[{"w":1}]})", "'r'"},
      {R"({"f":[]})", "has 0 cells"},
      {R"({"g":[]})", "{\"f\""},
      {R"([1])", "{\"f\""},
  };
  for (const auto& [row, needle] : cases) {
    auto r = convert_row(s, json::parse(row), "row 0 of t");
    ASSERT_FALSE(r.has_value()) << row;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  }
}

TEST(BqValue, ErrorsNeverQuoteTheValue) {
  auto r = convert_cell(field("INTEGER"), json("secret-looking-value"), "t");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message.find("secret-looking-value"), std::string::npos);
}

}  // namespace
}  // namespace bqb::bq
