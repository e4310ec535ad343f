#include "daemon/query/bq_param.h"

#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace bqb::bq {
namespace {

using nlohmann::json;

/// @returns the parameter as `bqbroker query --param` sends it: a name (absent when empty), a type
/// text and the value as a string (JSON text for ARRAY and STRUCT), null for NULL.
json cli_form(const std::string& name, const std::string& type,
              const std::optional<std::string>& value) {
  json j = json::object();
  if (!name.empty()) j["name"] = name;
  j["type"] = type;
  j["value"] = value ? json(*value) : json(nullptr);
  return j;
}

std::string wire(const std::string& name, const std::string& type,
                 const std::optional<std::string>& value) {
  auto p = parse_param_json(cli_form(name, type, value), "parameters[0]");
  if (!p) return "ERROR: " + p.error().message;
  return param_to_wire(*p).dump();
}

TEST(BqParam, ParsesTypesWithAliasesNestingAndSpaces) {
  EXPECT_EQ(param_type_to_string(parse_param_type("int64", "t").value()), "INT64");
  EXPECT_EQ(param_type_to_string(parse_param_type("INTEGER", "t").value()), "INT64");
  EXPECT_EQ(param_type_to_string(parse_param_type("", "t").value()), "STRING");
  EXPECT_EQ(param_type_to_string(parse_param_type(" array < bool > ", "t").value()), "ARRAY<BOOL>");
  EXPECT_EQ(param_type_to_string(
                parse_param_type("STRUCT<a INT64, b ARRAY<STRUCT<c FLOAT>>>", "t").value()),
            "STRUCT<a INT64, b ARRAY<STRUCT<c FLOAT64>>>");
}

TEST(BqParam, RefusesBadTypes) {
  for (std::string_view bad :
       {"ARRAY<ARRAY<INT64>>", "ARRAY<INT64", "STRUCT<>", "STRUCT<a>", "STRUCT<a INT64, a STRING>",
        "WIDGET", "INT64 INT64", "ARRAY", "RANGE<DATE>"}) {
    auto t = parse_param_type(bad, "--param 'x'");
    ASSERT_FALSE(t.has_value()) << bad;
    EXPECT_EQ(t.error().code, Errc::bad_request);
    EXPECT_NE(t.error().message.find("--param 'x'"), std::string::npos) << t.error().message;
  }
}

TEST(BqParam, CliFormValuesAreStrings) {
  EXPECT_EQ(wire("n", "INT64", "5"),
            R"({"name":"n","parameterType":{"type":"INT64"},"parameterValue":{"value":"5"}})");
  // Positional (no name), STRING by default (empty type).
  EXPECT_EQ(wire("", "", "a:b"),
            R"({"parameterType":{"type":"STRING"},"parameterValue":{"value":"a:b"}})");
  EXPECT_EQ(wire("s", "", ""),
            R"({"name":"s","parameterType":{"type":"STRING"},"parameterValue":{"value":""}})");
  EXPECT_EQ(wire("n", "INT64", std::nullopt),
            R"({"name":"n","parameterType":{"type":"INT64"},"parameterValue":{}})");
  EXPECT_EQ(wire("b", "BOOL", "TRUE"),
            R"({"name":"b","parameterType":{"type":"BOOL"},"parameterValue":{"value":"true"}})");
  EXPECT_EQ(wire("ids", "ARRAY<INT64>", R"([1, "2"])"),
            R"({"name":"ids","parameterType":{"arrayType":{"type":"INT64"},"type":"ARRAY"},)"
            R"("parameterValue":{"arrayValues":[{"value":"1"},{"value":"2"}]}})");
  EXPECT_EQ(wire("s", "STRUCT<x INT64, y STRING>", R"({"y":"a","x":1})"),
            R"({"name":"s","parameterType":{"structTypes":[)"
            R"({"name":"x","type":{"type":"INT64"}},{"name":"y","type":{"type":"STRING"}}],)"
            R"("type":"STRUCT"},)"
            R"("parameterValue":{"structValues":{"x":{"value":"1"},"y":{"value":"a"}}}})");
  EXPECT_EQ(wire("f", "FLOAT64", "NaN"),
            R"({"name":"f","parameterType":{"type":"FLOAT64"},"parameterValue":{"value":"NaN"}})");
}

TEST(BqParam, CliFormErrorsNameTheParameter) {
  struct Case {
    const char* name;
    const char* type;
    const char* value;
    const char* needle;
  };
  const Case cases[] = {
      {"n", "INT64", "five", "parameter 'n'"},
      {"n", "INT64", "9223372036854775808", "64-bit"},
      {"b", "BOOL", "yes", "true nor false"},
      {"f", "FLOAT64", "1.5x", "FLOAT64"},
      {"a", "ARRAY<INT64>", "[1,", "JSON text"},
      {"a", "ARRAY<INT64>", "[1,null]", "'[1]'"},
      {"s", "STRUCT<x INT64>", R"({"z":1})", "'z'"},
      {"s", "STRUCT<x INT64>", R"({"x":"q"})", "'x'"},
      {"", "INT64", "x", "parameters[0]"},
  };
  for (const auto& c : cases) {
    auto p = parse_param_json(cli_form(c.name, c.type, c.value), "parameters[0]");
    ASSERT_FALSE(p.has_value()) << c.type << " " << c.value;
    EXPECT_EQ(p.error().code, Errc::bad_request);
    EXPECT_NE(p.error().message.find(c.needle), std::string::npos) << p.error().message;
  }
}

TEST(BqParam, JsonFormTakesNativeJsonValues) {
  auto p = parse_param_json(json::parse(R"({"name":"r","type":"STRUCT<a ARRAY<FLOAT64>, b BOOL>",
                                            "value":{"a":[1.5,2,"Infinity"],"b":false}})"),
                            "parameters[0]");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(param_to_wire(*p)["parameterValue"].dump(),
            R"({"structValues":{"a":{"arrayValues":[{"value":"1.5"},{"value":"2"},)"
            R"({"value":"Infinity"}]},"b":{"value":"false"}}})");
  // A STRUCT by position; a missing field is NULL.
  auto q = parse_param_json(json::parse(R"({"type":"STRUCT<a INT64, b STRING>","value":[1,null]})"),
                            "t");
  ASSERT_TRUE(q.has_value()) << q.error().message;
  EXPECT_TRUE(q->value.fields.at(1).null);
  auto r =
      parse_param_json(json::parse(R"({"type":"STRUCT<a INT64, b STRING>","value":{"a":1}})"), "t");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(param_to_wire(*r)["parameterValue"].dump(),
            R"({"structValues":{"a":{"value":"1"},"b":{}}})");
}

TEST(BqParam, JsonFormErrors) {
  for (const char* text :
       {R"([])", R"({"type":"INT64"})", R"({"type":5,"value":1})",
        R"({"name":3,"type":"INT64","value":1})", R"({"name":"x","type":"INT64","value":[1]})",
        R"({"type":"ARRAY<INT64>","value":{"a":1}})",
        R"({"type":"STRUCT<a INT64>","value":[1,2]})"}) {
    auto p = parse_param_json(json::parse(text), "field 'parameters[2]'");
    ASSERT_FALSE(p.has_value()) << text;
    EXPECT_NE(p.error().message.find("parameters[2]"), std::string::npos) << p.error().message;
  }
}

}  // namespace
}  // namespace bqb::bq
