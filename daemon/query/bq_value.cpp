#include "daemon/query/bq_value.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace bqb::bq {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

/// A column's position, built on the stack while descending; rendered only for an error.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;  // the field name; empty for an array element
  std::int64_t index = -1;

  std::string render() const {
    std::string head = parent != nullptr ? parent->render() : std::string();
    if (index >= 0) return head + "[" + std::to_string(index) + "]";
    return head.empty() ? std::string(name) : head + "." + std::string(name);
  }
};

class Converter {
 public:
  explicit Converter(std::string_view where) : where_(where) {}

  Result<ojson> field(const Field& f, const json& v, const Path& path, std::size_t depth) {
    if (depth > kMaxNesting) return error(f, path, "nests deeper than the schema allows");
    if (f.mode != FieldMode::repeated) return scalar_or_record(f, v, path, depth);
    if (v.is_null()) return ojson::array();
    if (!v.is_array()) return error(f, path, "is REPEATED but its value is not an array");
    ojson out = ojson::array();
    for (std::size_t i = 0; i < v.size(); ++i) {
      const Path elem{&path, {}, static_cast<std::int64_t>(i)};
      const json& cell = v[i];
      if (!cell.is_object() || !cell.contains("v")) {
        return error(f, elem, "is an array element without a 'v'");
      }
      BQB_TRY(value, scalar_or_record(f, cell["v"], elem, depth));
      out.push_back(std::move(value));
    }
    return out;
  }

  Result<ojson> record(const std::vector<Field>& fields, const json& row, const Path* parent,
                       const Field* owner, std::size_t depth) {
    const Path self = parent != nullptr ? *parent : Path{};
    auto cells = row.is_object() ? row.find("f") : row.end();
    if (!row.is_object() || cells == row.end() || !cells->is_array()) {
      return owner != nullptr ? error(*owner, self, "is not a {\"f\":[…]} record")
                              : row_error("is not a {\"f\":[…]} object");
    }
    if (cells->size() != fields.size()) {
      const std::string problem =
          fmt::format("has {} cells, the schema {} fields", cells->size(), fields.size());
      return owner != nullptr ? error(*owner, self, problem) : row_error(problem);
    }
    ojson out = ojson::object();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const Field& f = fields[i];
      const Path path{parent, f.name, -1};
      const json& cell = (*cells)[i];
      if (!cell.is_object() || !cell.contains("v")) return error(f, path, "has no 'v'");
      BQB_TRY(value, field(f, cell["v"], path, depth + 1));
      out[f.name] = std::move(value);
    }
    return out;
  }

 private:
  Result<ojson> scalar_or_record(const Field& f, const json& v, const Path& path,
                                 std::size_t depth) {
    if (v.is_null()) return ojson();
    if (f.type == FieldType::record) return record(f.fields, v, &path, &f, depth);
    if (!v.is_string()) return error(f, path, "is not a string");
    const std::string& s = v.get_ref<const std::string&>();
    switch (f.type) {
      case FieldType::integer:
        if (!is_int64(s)) return error(f, path, "is not a 64-bit decimal integer");
        return ojson(s);
      case FieldType::numeric:
      case FieldType::bignumeric:
        if (!is_decimal(s)) return error(f, path, "is not a decimal number");
        return ojson(s);
      case FieldType::float64:
        return float_value(f, s, path);
      case FieldType::boolean:
        if (s == "true") return ojson(true);
        if (s == "false") return ojson(false);
        return error(f, path, "is neither \"true\" nor \"false\"");
      case FieldType::bytes:
        if (!is_base64(s)) return error(f, path, "is not base64");
        return ojson(s);
      case FieldType::timestamp:
        return timestamp_value(f, s, path);
      default:
        return ojson(s);
    }
  }

  Result<ojson> float_value(const Field& f, const std::string& s, const Path& path) {
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) {
      return error(f, path, "is not a floating-point number");
    }
    if (std::isnan(d)) return ojson("NaN");
    if (std::isinf(d)) return ojson(d < 0 ? "-Infinity" : "Infinity");
    return ojson(d);
  }

  Result<ojson> timestamp_value(const Field& f, const std::string& s, const Path& path) {
    std::int64_t micros = 0;
    if (!parse_timestamp(s, micros)) {
      return error(f, path, "is neither integer microseconds nor float seconds since the epoch");
    }
    auto text = format_timestamp_micros(micros);
    if (!text) return error(f, path, "is outside the years 0001..9999");
    return ojson(std::move(*text));
  }

  static bool is_int64(std::string_view s) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    return ec == std::errc{} && end == s.data() + s.size() && !s.empty();
  }

  static bool digits(std::string_view s, std::size_t& i) {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  }

  /// [+-]digits[.digits][(e|E)[+-]digits], or [+-].digits…: what NUMERIC/BIGNUMERIC look like.
  static bool is_decimal(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const bool whole = digits(s, i);
    bool frac = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      frac = digits(s, i);
    }
    if (!whole && !frac) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
      if (!digits(s, i)) return false;
    }
    return i == s.size();
  }

  static bool is_base64(std::string_view s) {
    if (s.size() % 4 != 0) return false;
    std::size_t pad = 0;
    while (pad < 2 && pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
    for (std::size_t i = 0; i < s.size() - pad; ++i) {
      const char c = s[i];
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '+' || c == '/';
      if (!ok) return false;
    }
    return true;
  }

  static bool parse_timestamp(std::string_view s, std::int64_t& micros) {
    if (is_int64(s)) {
      std::from_chars(s.data(), s.data() + s.size(), micros);
      return true;
    }
    // Without useInt64Timestamp BigQuery sends float seconds ("1.4338368E9").
    if (!is_decimal(s)) return false;
    double seconds = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
    if (ec != std::errc{} || end != s.data() + s.size()) return false;
    const double us = std::round(seconds * 1e6);
    if (!(std::fabs(us) < 9.2e18)) return false;
    micros = static_cast<std::int64_t>(us);
    return true;
  }

  tl::unexpected<Error> error(const Field& f, const Path& path, std::string_view problem) const {
    return tl::unexpected(
        Error{Errc::upstream_error,
              fmt::format("column '{}' ({}) in {} {}", path.render(), f.type_name, where_, problem),
              {}});
  }

  tl::unexpected<Error> row_error(std::string_view problem) const {
    return tl::unexpected(Error{Errc::upstream_error, fmt::format("{} {}", where_, problem), {}});
  }

  std::string_view where_;
};

}  // namespace

Result<ojson> convert_row(const Schema& schema, const json& row, std::string_view where) {
  return Converter(where).record(schema.fields, row, nullptr, nullptr, 0);
}

Result<std::string> format_timestamp_micros(std::int64_t micros) {
  using namespace std::chrono;
  // Years 0001..9999, as BigQuery's TIMESTAMP: -62135596800 s .. 253402300799.999999 s.
  constexpr std::int64_t kMin = -62135596800LL * 1000000;
  constexpr std::int64_t kMax = 253402300800LL * 1000000 - 1;
  if (micros < kMin || micros > kMax) {
    return fail(Errc::bad_request, "timestamp outside the years 0001..9999");
  }
  const sys_time<microseconds> tp{microseconds(micros)};
  const sys_days day = floor<days>(tp);
  const year_month_day ymd{day};
  const auto in_day = tp - day;
  const hh_mm_ss<microseconds> hms{in_day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

}  // namespace bqb::bq
