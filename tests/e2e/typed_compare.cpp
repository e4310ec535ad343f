#include "tests/e2e/typed_compare.h"

#include <openssl/evp.h>

#include <charconv>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

namespace bqb::e2e {
namespace {

using nlohmann::json;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// @returns the digits text[at, at+n) as a number, or nullopt.
std::optional<int> fixed_digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!is_digit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

/// @returns base64 `text` decoded; nullopt when it is not base64.
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t padding = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

/// `text` (a TIME or DATETIME) without the trailing zeros of its fraction: Go's civil types
/// write nanoseconds ("23:59:59.999999000"), BigQuery and Node microseconds at most.
std::string without_trailing_fraction_zeros(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

/// A client's tagged value: {"<cls>": text} → text; nullopt when `v` is not that.
std::optional<std::string> unwrap(const json& v, std::string_view cls) {
  if (!v.is_object() || v.size() != 1) return std::nullopt;
  const auto it = v.find(std::string(cls));
  if (it == v.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

/// A FLOAT as a double: a JSON number, or "NaN"/"Infinity"/"-Infinity" as a string (ours) or
/// as {"<non_finite>": …} (the client's).
std::optional<double> float_of(const json& v, std::string_view non_finite) {
  if (v.is_number()) return v.get<double>();
  std::optional<std::string> text = v.is_string() ? v.get<std::string>() : unwrap(v, non_finite);
  if (!text) return std::nullopt;
  if (*text == "Infinity") return HUGE_VAL;
  if (*text == "-Infinity") return -HUGE_VAL;
  if (*text == "NaN") return std::nan("");
  return std::nullopt;
}

class Comparer {
 public:
  Comparer(std::vector<Difference>& out, const ClientTypes& types) : out_(out), types_(types) {}

  void row(std::size_t index, const json& fields, const json& ours, const json& node) {
    row_ = index;
    if (!ours.is_object() || !node.is_object()) {
      differ("*", "ROW", ours, node, "a row is not an object");
      return;
    }
    record(fields, ours, node, "");
  }

 private:
  void record(const json& fields, const json& ours, const json& node, const std::string& prefix) {
    std::size_t named = 0;
    for (const auto& field : fields) {
      const std::string name = field.value("name", "");
      const std::string path = prefix.empty() ? name : prefix + "." + name;
      const bool in_ours = ours.contains(name);
      const bool in_node = node.contains(name);
      if (in_ours) ++named;
      if (!in_ours || !in_node) {
        differ(path, field.value("type", ""), in_ours ? ours[name] : json(),
               in_node ? node[name] : json(),
               in_ours ? "theirs lacks the column" : "ours lacks it");
        continue;
      }
      column(field, ours[name], node[name], path);
    }
    if (named != ours.size() || ours.size() != node.size()) {
      differ(prefix.empty() ? "*" : prefix, "RECORD", ours, node,
             "the columns are not the schema's");
    }
  }

  void column(const json& field, const json& ours, const json& node, const std::string& path) {
    const std::string type = field.value("type", "");
    if (field.value("mode", "NULLABLE") != "REPEATED") {
      value(field, type, ours, node, path);
      return;
    }
    if (!ours.is_array() || !node.is_array() || ours.size() != node.size()) {
      differ(path, type, ours, node, "not arrays of the same length");
      return;
    }
    for (std::size_t i = 0; i < ours.size(); ++i) {
      value(field, type, ours[i], node[i], fmt::format("{}[{}]", path, i));
    }
  }

  void value(const json& field, const std::string& type, const json& ours, const json& node,
             const std::string& path) {
    if (ours.is_null() || node.is_null()) {
      if (!(ours.is_null() && node.is_null())) differ(path, type, ours, node, "one is NULL");
      return;
    }
    if (type == "RECORD" || type == "STRUCT") {
      if (!ours.is_object() || !node.is_object()) {
        differ(path, type, ours, node, "not both records");
      } else {
        record(field.value("fields", json::array()), ours, node, path);
      }
      return;
    }
    const std::string why = scalar(type, ours, node);
    if (!why.empty()) differ(path, type, ours, node, why);
  }

  /// @returns why the scalars differ, or "" when they are the same value.
  std::string scalar(const std::string& type, const json& ours, const json& node) const {
    const std::optional<std::string> text =
        ours.is_string() ? std::optional(ours.get<std::string>()) : std::nullopt;
    if (type == "INTEGER" || type == "INT64") {
      const auto n = unwrap(node, types_.integer);
      if (!text || !n) return "not a " + types_.integer + " and a string of digits";
      return *text == *n ? "" : "different integers";
    }
    if (type == "NUMERIC" || type == "BIGNUMERIC") {
      const auto n = unwrap(node, types_.decimal);
      if (!text || !n) return "not a " + types_.decimal + " and a decimal string";
      const auto a = parse_decimal(*text);
      const auto b = parse_decimal(*n);
      if (!a || !b) return "not decimals";
      return *a == *b ? "" : "different decimals";
    }
    if (type == "FLOAT" || type == "FLOAT64") {
      const auto a = float_of(ours, types_.non_finite_float);
      const auto b = float_of(node, types_.non_finite_float);
      if (!a || !b) return "not floats";
      if (std::isnan(*a) && std::isnan(*b)) return "";
      return *a == *b ? "" : "different floats";
    }
    if (type == "BOOLEAN" || type == "BOOL") {
      if (!ours.is_boolean() || !node.is_boolean()) return "not booleans";
      return ours == node ? "" : "different booleans";
    }
    if (type == "STRING") {
      if (!text || !node.is_string()) return "not strings";
      return *text == node.get<std::string>() ? "" : "different strings";
    }
    if (type == "BYTES") {
      const auto n = unwrap(node, types_.bytes);
      if (!text || !n) return "not a " + types_.bytes + " and base64";
      const auto a = base64_decode(*text);
      const auto b = base64_decode(*n);
      if (!a || !b) return "not base64";
      return *a == *b ? "" : "different bytes";
    }
    if (type == "TIMESTAMP") {
      const auto n = unwrap(node, types_.timestamp);
      if (!text || !n) return "not a " + types_.timestamp + " and a string";
      const auto a = parse_instant_micros(*text);
      const auto b = parse_instant_micros(*n);
      if (!a || !b) return "not RFC 3339 instants";
      return *a == *b ? "" : fmt::format("different instants ({} µs apart)", *b - *a);
    }
    if (type == "DATE" || type == "DATETIME" || type == "TIME") {
      const std::string& cls = type == "DATE"       ? types_.date
                               : type == "DATETIME" ? types_.datetime
                                                    : types_.time;
      const auto n = unwrap(node, cls);
      if (!text || !n) return "not a " + cls + " and a string";
      if (type != "DATE") {
        return without_trailing_fraction_zeros(*text) == without_trailing_fraction_zeros(*n)
                   ? ""
                   : "different text";
      }
      return *text == *n ? "" : "different text";
    }
    if (type == "JSON") {
      if (!text || !node.is_string()) return "not JSON text";
      const json a = json::parse(*text, nullptr, false);
      const json b = json::parse(node.get<std::string>(), nullptr, false);
      if (a.is_discarded() || b.is_discarded()) return "not JSON";
      return a == b ? "" : "different JSON documents";
    }
    return "no comparison for type " + type;
  }

  void differ(const std::string& path, const std::string& type, const json& ours, const json& node,
              std::string why) {
    out_.push_back(Difference{row_, path, type, ours, node, std::move(why)});
  }

  std::vector<Difference>& out_;
  const ClientTypes& types_;
  std::size_t row_ = 0;
};

}  // namespace

std::optional<Decimal> parse_decimal(std::string_view text) {
  Decimal d;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) d.negative = text[i++] == '-';
  std::string digits;
  std::int64_t exponent = 0;
  bool any = false;
  for (; i < text.size() && is_digit(text[i]); ++i, any = true) digits += text[i];
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && is_digit(text[i]); ++i, any = true) {
      digits += text[i];
      --exponent;
    }
  }
  if (!any) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && text[i] == '+') ++i;
    int e = 0;
    const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), e);
    if (ec != std::errc() || end == text.data() + i || e > 10000 || e < -10000) {
      return std::nullopt;
    }
    i = static_cast<std::size_t>(end - text.data());
    exponent += e;
  }
  if (i != text.size()) return std::nullopt;
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Decimal{};  // zero, whatever its sign
  const auto last = digits.find_last_not_of('0');
  exponent += static_cast<std::int64_t>(digits.size() - 1 - last);
  d.digits = digits.substr(first, last - first + 1);
  d.exponent = exponent;
  return d;
}

std::optional<std::int64_t> parse_instant_micros(std::string_view text) {
  const auto year = fixed_digits(text, 0, 4);
  const auto month = fixed_digits(text, 5, 2);
  const auto day = fixed_digits(text, 8, 2);
  const auto hour = fixed_digits(text, 11, 2);
  const auto minute = fixed_digits(text, 14, 2);
  const auto second = fixed_digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':' || *year < 1 ||
      *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(*year),
                                        std::chrono::month(static_cast<unsigned>(*month)),
                                        std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok()) return std::nullopt;
  std::size_t i = 19;
  std::int64_t micros = 0;
  if (i < text.size() && text[i] == '.') {
    std::size_t n = 0;
    for (++i; i < text.size() && is_digit(text[i]); ++i, ++n) {
      if (n < 6) {
        micros = micros * 10 + (text[i] - '0');
      } else if (text[i] != '0') {
        return std::nullopt;  // below a microsecond
      }
    }
    if (n == 0) return std::nullopt;
    for (; n < 6; ++n) micros *= 10;
  }
  std::int64_t offset_minutes = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    const auto oh = fixed_digits(text, i + 1, 2);
    const auto om = fixed_digits(text, i + 4, 2);
    if (!oh || !om || text[i + 3] != ':') return std::nullopt;
    offset_minutes = (text[i] == '-' ? -1 : 1) * (*oh * 60 + *om);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  const std::int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  const std::int64_t seconds =
      days * 86400 + *hour * 3600 + *minute * 60 + *second - offset_minutes * 60;
  return seconds * 1'000'000 + micros;
}

std::string describe(const Difference& d) {
  return fmt::format("row {} {} ({}): {}: ours {} vs theirs {}", d.row, d.column, d.type, d.why,
                     d.ours.dump(), d.theirs.dump());
}

std::vector<Difference> compare_rows(const json& schema_fields, const json& ours, const json& node,
                                     const ClientTypes& types) {
  std::vector<Difference> out;
  if (!ours.is_array() || !node.is_array()) {
    out.push_back({0, "*", "ROWS", ours.type_name(), node.type_name(), "not arrays of rows"});
    return out;
  }
  Comparer comparer(out, types);
  const std::size_t common = std::min(ours.size(), node.size());
  for (std::size_t r = 0; r < common; ++r) comparer.row(r, schema_fields, ours[r], node[r]);
  if (ours.size() != node.size()) {
    out.push_back({common, "*", "ROWS", ours.size(), node.size(), "different row counts"});
  }
  return out;
}

}  // namespace bqb::e2e
