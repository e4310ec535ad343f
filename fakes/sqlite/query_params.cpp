#include "fakes/sqlite/query_params.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace bqb::fakes::sqlite {
namespace {

using nlohmann::json;
using Made = tl::expected<json, std::string>;

/// @returns a scalar parameter value as the JSON value an ARRAY/STRUCT binding holds.
Made scalar_json(const std::string& type, const json& value) {
  if (value.is_null()) return json();
  // The API's value is a string, but Google also reads a JSON number or boolean there (Node's
  // client sends {"value": 40}): take its text.
  if (!value.is_string() && !value.is_number() && !value.is_boolean())
    return tl::unexpected(std::string("value must be a string"));
  const std::string s = value.is_string() ? value.get<std::string>() : value.dump();
  if (type == "INT64" || type == "INTEGER") {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty())
      return tl::unexpected("'" + s + "' is not an INT64");
    return json(n);
  }
  if (type == "FLOAT64" || type == "FLOAT") {
    if (s == "NaN" || s == "Infinity" || s == "-Infinity") return json(s);
    char* end = nullptr;
    errno = 0;
    const double d = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE)
      return tl::unexpected("'" + s + "' is not a FLOAT64");
    return json(d);
  }
  if (type == "BOOL" || type == "BOOLEAN") {
    if (s == "true" || s == "TRUE") return json(true);
    if (s == "false" || s == "FALSE") return json(false);
    return tl::unexpected("'" + s + "' is not a BOOL");
  }
  if (type == "TIMESTAMP") {
    auto micros = parse_timestamp_micros(s);
    if (!micros) return tl::unexpected("'" + s + "' is not a TIMESTAMP");
    return json(format_timestamp(*micros));
  }
  if (type == "BYTES" && !decode_base64(s)) return tl::unexpected("'" + s + "' is not base64");
  static const char* const kText[] = {"STRING",   "BYTES", "NUMERIC", "BIGNUMERIC", "DATE",
                                      "DATETIME", "TIME",  "JSON",    "GEOGRAPHY",  "INTERVAL"};
  for (const char* t : kText) {
    if (type == t) return json(s);
  }
  return tl::unexpected("unsupported parameter type " + type);
}

/// @returns the value of parameterValue `v` of parameterType `t` as JSON (arrays and structs
/// nested).
Made value_json(const json& t, const json& v) {
  if (!t.is_object() || !t.contains("type") || !t["type"].is_string())
    return tl::unexpected(std::string("parameterType.type is missing"));
  const std::string type = t["type"].get<std::string>();
  if (!v.is_object()) return json();  // no parameterValue: NULL
  if (type == "ARRAY") {
    if (!v.contains("arrayValues"))
      return v.contains("value") ? Made(tl::unexpected(std::string("an ARRAY takes arrayValues")))
                                 : Made(json::array());
    if (!v["arrayValues"].is_array())
      return tl::unexpected(std::string("arrayValues must be an array"));
    json out = json::array();
    for (const auto& e : v["arrayValues"]) {
      auto r = value_json(t.value("arrayType", json()), e);
      if (!r) return r;
      out.push_back(std::move(*r));
    }
    return out;
  }
  if (type == "STRUCT") {
    const json fields = t.value("structTypes", json::array());
    const json values = v.value("structValues", json::object());
    if (!fields.is_array() || !values.is_object())
      return tl::unexpected(std::string("structTypes/structValues malformed"));
    json out = json::object();
    for (const auto& f : fields) {
      if (!f.is_object()) return tl::unexpected(std::string("structTypes entry malformed"));
      const std::string name = f.value("name", "");
      auto it = values.find(name);
      auto r = value_json(f.value("type", json()), it == values.end() ? json() : *it);
      if (!r) return tl::unexpected(name + ": " + r.error());
      out[name] = std::move(*r);
    }
    return out;
  }
  return scalar_json(type, v.value("value", json()));
}

tl::expected<Cell, std::string> to_cell(const json& type, const json& value) {
  auto j = value_json(type, value);
  if (!j) return tl::unexpected(j.error());
  const std::string t = type["type"].get<std::string>();
  Cell c;
  if (j->is_null()) return c;
  if (t == "ARRAY" || t == "STRUCT") {
    c.kind = Cell::Kind::text;
    c.bytes = j->dump();
  } else if (j->is_boolean()) {
    c.kind = Cell::Kind::integer;
    c.integer = j->get<bool>() ? 1 : 0;
  } else if (j->is_number_integer()) {
    c.kind = Cell::Kind::integer;
    c.integer = j->get<std::int64_t>();
  } else if (j->is_number_float()) {
    c.kind = Cell::Kind::real;
    c.real = j->get<double>();
  } else if (t == "FLOAT64" || t == "FLOAT") {  // NaN and ±Infinity
    c.kind = Cell::Kind::real;
    const std::string& s = j->get_ref<const std::string&>();
    c.real = s == "NaN" ? std::nan("") : s == "Infinity" ? HUGE_VAL : -HUGE_VAL;
  } else if (t == "BYTES") {
    c.kind = Cell::Kind::blob;
    c.bytes = *decode_base64(j->get<std::string>());
  } else {
    c.kind = Cell::Kind::text;
    c.bytes = j->get<std::string>();
  }
  return c;
}

}  // namespace

tl::expected<std::vector<BoundParameter>, std::string> parse_parameters(
    const json& query_parameters, const std::string& mode_as_sent) {
  // BigQuery reads the mode case-insensitively; Node's client sends "named".
  std::string mode = mode_as_sent;
  for (char& c : mode) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<BoundParameter> out;
  if (query_parameters.is_null()) return out;
  if (!query_parameters.is_array())
    return tl::unexpected(std::string("queryParameters must be an array"));
  if (!mode.empty() && mode != "NAMED" && mode != "POSITIONAL")
    return tl::unexpected("Invalid parameterMode " + mode + " (NAMED or POSITIONAL)");
  for (std::size_t i = 0; i < query_parameters.size(); ++i) {
    const json& p = query_parameters[i];
    const std::string where = "queryParameters[" + std::to_string(i) + "]";
    if (!p.is_object()) return tl::unexpected(where + " must be an object");
    BoundParameter b;
    if (p.contains("name")) {
      if (!p["name"].is_string()) return tl::unexpected(where + ".name must be a string");
      b.name = p["name"].get<std::string>();
    }
    if (mode == "NAMED" && b.name.empty())
      return tl::unexpected(where + " has no name, but parameterMode is NAMED");
    if (mode == "POSITIONAL" && !b.name.empty())
      return tl::unexpected(where + " has a name, but parameterMode is POSITIONAL");
    auto cell = to_cell(p.value("parameterType", json()), p.value("parameterValue", json()));
    if (!cell) {
      return tl::unexpected("Invalid value for query parameter " +
                            (b.name.empty() ? where : b.name) + ": " + cell.error());
    }
    b.value = std::move(*cell);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace bqb::fakes::sqlite
