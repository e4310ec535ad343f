#include "daemon/query/bq_param.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "daemon/base/ascii.h"

namespace bqb::bq {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxDepth = 16;

struct Alias {
  std::string_view name;
  std::string_view canonical;
};

constexpr std::array kScalars{
    Alias{"INT64", "INT64"},
    Alias{"INTEGER", "INT64"},
    Alias{"FLOAT64", "FLOAT64"},
    Alias{"FLOAT", "FLOAT64"},
    Alias{"NUMERIC", "NUMERIC"},
    Alias{"DECIMAL", "NUMERIC"},
    Alias{"BIGNUMERIC", "BIGNUMERIC"},
    Alias{"BIGDECIMAL", "BIGNUMERIC"},
    Alias{"BOOL", "BOOL"},
    Alias{"BOOLEAN", "BOOL"},
    Alias{"STRING", "STRING"},
    Alias{"BYTES", "BYTES"},
    Alias{"DATE", "DATE"},
    Alias{"DATETIME", "DATETIME"},
    Alias{"TIME", "TIME"},
    Alias{"TIMESTAMP", "TIMESTAMP"},
    Alias{"GEOGRAPHY", "GEOGRAPHY"},
    Alias{"JSON", "JSON"},
    Alias{"INTERVAL", "INTERVAL"},
};

tl::unexpected<Error> bad(std::string_view where, std::string problem) {
  return tl::unexpected(Error{Errc::bad_request, std::string(where) + ": " + problem, {}});
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// A recursive-descent reader of the type grammar.
class TypeReader {
 public:
  TypeReader(std::string_view text, std::string_view where) : s_(text), where_(where) {}

  Result<ParamType> whole() {
    skip();
    if (i_ == s_.size()) return ParamType{"STRING", {}, {}};
    BQB_TRY(t, type(0));
    skip();
    if (i_ != s_.size()) return error("unexpected text after the type");
    return t;
  }

 private:
  Result<ParamType> type(std::size_t depth) {
    if (depth > kMaxDepth) return error("nests too deeply");
    const std::string_view name = word();
    if (name.empty()) return error("expected a type name");
    if (ascii_iequals(name, "ARRAY")) {
      if (!eat('<')) return error("expected '<' after ARRAY");
      BQB_TRY(element, type(depth + 1));
      if (element.type == "ARRAY") return error("an ARRAY of ARRAY is not allowed");
      if (!eat('>')) return error("expected '>' to close ARRAY<");
      return ParamType{"ARRAY", {std::move(element)}, {}};
    }
    if (ascii_iequals(name, "STRUCT")) {
      if (!eat('<')) return error("expected '<' after STRUCT");
      ParamType t{"STRUCT", {}, {}};
      do {
        const std::string_view field = word();
        if (field.empty()) return error("expected a STRUCT field name");
        BQB_TRY(ft, type(depth + 1));
        for (const auto& [n, _] : t.fields) {
          if (ascii_iequals(n, field))
            return error("STRUCT field '" + std::string(field) + "' twice");
        }
        t.fields.push_back(ParamField{std::string(field), std::move(ft)});
      } while (eat(','));
      if (!eat('>')) return error("expected '>' to close STRUCT<");
      return t;
    }
    for (const auto& a : kScalars) {
      if (ascii_iequals(a.name, name)) return ParamType{std::string(a.canonical), {}, {}};
    }
    return error("unknown type '" + std::string(name) + "'");
  }

  void skip() {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
  }
  bool eat(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  std::string_view word() {
    skip();
    const std::size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) {
      ++i_;
    }
    return s_.substr(start, i_ - start);
  }
  tl::unexpected<Error> error(std::string problem) const {
    return bad(where_, "type '" + std::string(s_) + "' " + problem);
  }

  std::string_view s_;
  std::string_view where_;
  std::size_t i_ = 0;
};

bool is_int64(std::string_view s) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return !s.empty() && ec == std::errc{} && end == s.data() + s.size();
}

bool is_float(std::string_view s) {
  if (s == "NaN" || s == "Infinity" || s == "-Infinity") return true;
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return !s.empty() && ec == std::errc{} && end == s.data() + s.size() && std::isfinite(d);
}

std::string join(std::string_view path, std::string_view child) {
  return path.empty() ? std::string(child) : std::string(path) + "." + std::string(child);
}

class ValueReader {
 public:
  explicit ValueReader(std::string_view where) : where_(where) {}

  Result<ParamValue> value(const ParamType& t, const json& v, const std::string& path) {
    if (v.is_null()) return ParamValue{true, {}, {}, {}};
    if (t.type == "ARRAY") return array(t, v, path);
    if (t.type == "STRUCT") return record(t, v, path);
    std::string text;
    if (v.is_string()) {
      text = v.get<std::string>();
    } else if (v.is_boolean()) {
      text = v.get<bool>() ? "true" : "false";
    } else if (v.is_number()) {
      text = v.dump();
    } else {
      return error(path, "a " + t.type + " value must be a JSON scalar");
    }
    if (t.type == "INT64" && !is_int64(text)) return error(path, "is not a 64-bit integer");
    if (t.type == "FLOAT64" && !is_float(text)) return error(path, "is not a FLOAT64");
    if (t.type == "BOOL") {
      if (ascii_iequals(text, "true")) {
        text = "true";
      } else if (ascii_iequals(text, "false")) {
        text = "false";
      } else {
        return error(path, "is neither true nor false");
      }
    }
    return ParamValue{false, std::move(text), {}, {}};
  }

 private:
  /// ARRAY and STRUCT values may come as JSON text (the CLI's syntax).
  Result<json> structured(const json& v, const std::string& path, std::string_view what) {
    if (!v.is_string()) return v;
    json parsed = json::parse(v.get_ref<const std::string&>(), nullptr, false);
    if (parsed.is_discarded()) return error(path, "is not JSON text for " + std::string(what));
    return parsed;
  }

  Result<ParamValue> array(const ParamType& t, const json& raw, const std::string& path) {
    BQB_TRY(v, structured(raw, path, "an ARRAY"));
    if (!v.is_array()) return error(path, "must be an array");
    ParamValue out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      BQB_TRY(e, value(t.element.at(0), v[i], path + "[" + std::to_string(i) + "]"));
      if (e.null)
        return error(path + "[" + std::to_string(i) + "]", "is NULL (an ARRAY cannot hold NULL)");
      out.elements.push_back(std::move(e));
    }
    return out;
  }

  Result<ParamValue> record(const ParamType& t, const json& raw, const std::string& path) {
    BQB_TRY(v, structured(raw, path, "a STRUCT"));
    ParamValue out;
    if (v.is_array()) {
      if (v.size() != t.fields.size()) {
        return error(path, "has " + std::to_string(v.size()) + " values for " +
                               std::to_string(t.fields.size()) + " STRUCT fields");
      }
      for (std::size_t i = 0; i < v.size(); ++i) {
        BQB_TRY(f, value(t.fields[i].type, v[i], join(path, t.fields[i].name)));
        out.fields.push_back(std::move(f));
      }
      return out;
    }
    if (!v.is_object()) return error(path, "must be an object or an array");
    for (const auto& [key, _] : v.items()) {
      bool known = false;
      for (const auto& [name, ft] : t.fields) known = known || name == key;
      if (!known) return error(join(path, key), "is not a field of " + param_type_to_string(t));
    }
    for (const auto& [name, ft] : t.fields) {
      auto it = v.find(name);
      BQB_TRY(f, value(ft, it == v.end() ? json() : *it, join(path, name)));
      out.fields.push_back(std::move(f));
    }
    return out;
  }

  tl::unexpected<Error> error(const std::string& path, const std::string& problem) const {
    return bad(where_, path.empty() ? "the value " + problem : "'" + path + "' " + problem);
  }

  std::string_view where_;
};

json type_to_wire(const ParamType& t) {
  json out = {{"type", t.type}};
  if (t.type == "ARRAY") out["arrayType"] = type_to_wire(t.element.at(0));
  if (t.type == "STRUCT") {
    json fields = json::array();
    for (const auto& [name, ft] : t.fields)
      fields.push_back({{"name", name}, {"type", type_to_wire(ft)}});
    out["structTypes"] = std::move(fields);
  }
  return out;
}

json value_to_wire(const ParamType& t, const ParamValue& v) {
  json out = json::object();
  if (v.null) return out;  // no value at all is NULL
  if (t.type == "ARRAY") {
    json values = json::array();
    for (const auto& e : v.elements) values.push_back(value_to_wire(t.element.at(0), e));
    out["arrayValues"] = std::move(values);
  } else if (t.type == "STRUCT") {
    json values = json::object();
    for (std::size_t i = 0; i < t.fields.size() && i < v.fields.size(); ++i) {
      values[t.fields[i].name] = value_to_wire(t.fields[i].type, v.fields[i]);
    }
    out["structValues"] = std::move(values);
  } else {
    out["value"] = v.scalar;
  }
  return out;
}

}  // namespace

Result<ParamType> parse_param_type(std::string_view text, std::string_view where) {
  return TypeReader(text, where).whole();
}

std::string param_type_to_string(const ParamType& t) {
  if (t.type == "ARRAY") return "ARRAY<" + param_type_to_string(t.element.at(0)) + ">";
  if (t.type != "STRUCT") return t.type;
  std::string out = "STRUCT<";
  for (std::size_t i = 0; i < t.fields.size(); ++i) {
    if (i > 0) out += ", ";
    out += t.fields[i].name + " " + param_type_to_string(t.fields[i].type);
  }
  return out + ">";
}

Result<ParamValue> param_value_from_json(const ParamType& t, const json& v,
                                         std::string_view where) {
  return ValueReader(where).value(t, v, "");
}

Result<QueryParameter> parse_param_json(const json& j, std::string_view where) {
  if (!j.is_object())
    return bad(where, "a parameter must be an object {\"name\"?, \"type\", \"value\"}");
  QueryParameter p;
  if (auto n = j.find("name"); n != j.end() && !n->is_null()) {
    if (!n->is_string()) return bad(where, "field 'name' must be a string");
    p.name = n->get<std::string>();
  }
  const std::string at =
      p.name.empty() ? std::string(where) : std::string(where) + " (parameter '" + p.name + "')";
  std::string type_text;
  if (auto t = j.find("type"); t != j.end() && !t->is_null()) {
    if (!t->is_string()) return bad(at, "field 'type' must be a string such as \"INT64\"");
    type_text = t->get<std::string>();
  }
  BQB_TRY(type, parse_param_type(type_text, at));
  auto v = j.find("value");
  if (v == j.end()) return bad(at, "field 'value' is missing (use null for NULL)");
  BQB_TRY(value, param_value_from_json(type, *v, at));
  p.type = std::move(type);
  p.value = std::move(value);
  return p;
}

json param_to_wire(const QueryParameter& p) {
  json out = json::object();
  if (!p.name.empty()) out["name"] = p.name;
  out["parameterType"] = type_to_wire(p.type);
  out["parameterValue"] = value_to_wire(p.type, p.value);
  return out;
}

}  // namespace bqb::bq
