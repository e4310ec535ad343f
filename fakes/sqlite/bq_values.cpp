#include "fakes/sqlite/bq_values.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <openssl/evp.h>

namespace bqb::fakes::sqlite {
namespace {

using nlohmann::json;

tl::unexpected<std::string> bad(std::string message) {
  return tl::unexpected<std::string>(std::move(message));
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

json scalar(std::string_view type) { return {{"type", type}, {"mode", "NULLABLE"}}; }

std::string render_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", d);
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// Reads exactly `n` digits at `pos`. @returns the number, nullopt when they are not there.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

/// A cell's value as JSON text holds it (nested REPEATED/RECORD values).
tl::expected<json, std::string> render_json_value(const json& field, const json& v);

tl::expected<json, std::string> render_json_scalar(const std::string& type, const json& v) {
  if (v.is_null()) return json();
  if (type == "TIMESTAMP") {
    if (v.is_number_integer()) return json(std::to_string(v.get<std::int64_t>()));
    if (v.is_string()) {
      auto micros = parse_timestamp_micros(v.get<std::string>());
      if (!micros) return bad("'" + v.get<std::string>() + "' is not a TIMESTAMP");
      return json(std::to_string(*micros));
    }
    return bad("a TIMESTAMP must be a string or integer microseconds");
  }
  if (v.is_string()) return v;
  if (v.is_boolean()) return json(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer() || v.is_number_unsigned()) return json(v.dump());
  if (v.is_number_float()) return json(render_double(v.get<double>()));
  if (type == "JSON") return json(v.dump());
  return bad("an " + type + " value cannot be " + std::string(v.type_name()));
}

tl::expected<json, std::string> render_record(const json& field, const json& v) {
  if (v.is_null()) return json();
  if (!v.is_object()) return bad("a RECORD value must be a JSON object");
  json f = json::array();
  for (const auto& sub : field.value("fields", json::array())) {
    const std::string name = sub.value("name", "");
    auto it = v.find(name);
    auto r = render_json_value(sub, it == v.end() ? json() : *it);
    if (!r) return bad("field " + name + ": " + r.error());
    f.push_back({{"v", std::move(*r)}});
  }
  return json{{"f", std::move(f)}};
}

tl::expected<json, std::string> render_json_value(const json& field, const json& v) {
  const std::string type = field.value("type", "STRING");
  auto one = [&](const json& e) {
    return type == "RECORD" || type == "STRUCT" ? render_record(field, e)
                                                : render_json_scalar(type, e);
  };
  if (field.value("mode", "NULLABLE") != "REPEATED") return one(v);
  json out = json::array();  // BigQuery sends a NULL array as an empty one
  if (v.is_null()) return out;
  if (!v.is_array()) return bad("a REPEATED value must be a JSON array");
  for (const auto& e : v) {
    auto r = one(e);
    if (!r) return r;
    out.push_back({{"v", std::move(*r)}});
  }
  return out;
}

}  // namespace

std::optional<json> field_for_declared_type(std::string_view declared, const NamedTypes& named) {
  const std::string first = upper(declared.substr(0, declared.find(' ')));
  if (first.empty()) return std::nullopt;
  static const std::array<std::pair<std::string_view, std::string_view>, 19> kScalars = {{
      {"INT64", "INTEGER"}, {"INTEGER", "INTEGER"}, {"INT", "INTEGER"},
      {"FLOAT64", "FLOAT"}, {"FLOAT", "FLOAT"},     {"REAL", "FLOAT"},
      {"DOUBLE", "FLOAT"},  {"NUMERIC", "NUMERIC"}, {"BIGNUMERIC", "BIGNUMERIC"},
      {"BOOL", "BOOLEAN"},  {"BOOLEAN", "BOOLEAN"}, {"STRING", "STRING"},
      {"TEXT", "STRING"},   {"VARCHAR", "STRING"},  {"BYTES", "BYTES"},
      {"BLOB", "BYTES"},    {"DATE", "DATE"},       {"DATETIME", "DATETIME"},
      {"TIME", "TIME"},
  }};
  for (const auto& [name, type] : kScalars) {
    if (first == name) return scalar(type);
  }
  if (first == "TIMESTAMP") return scalar("TIMESTAMP");
  if (first == "JSON") return scalar("JSON");
  if (auto it = named.find(first); it != named.end()) return it->second;
  return std::nullopt;
}

json infer_field(const std::vector<const Cell*>& column) {
  bool integer = false, real = false, text = false, blob = false;
  for (const Cell* c : column) {
    integer |= c->kind == Cell::Kind::integer;
    real |= c->kind == Cell::Kind::real;
    text |= c->kind == Cell::Kind::text;
    blob |= c->kind == Cell::Kind::blob;
  }
  if (text || (blob && (integer || real))) return scalar("STRING");
  if (blob) return scalar("BYTES");
  if (real) return scalar("FLOAT");
  return scalar("INTEGER");
}

tl::expected<json, std::string> render_cell(const json& field, const Cell& c) {
  const std::string type = field.value("type", "STRING");
  const bool nested = field.value("mode", "NULLABLE") == "REPEATED" || type == "RECORD";
  if (nested) {
    if (c.kind == Cell::Kind::null) return render_json_value(field, json());
    if (c.kind != Cell::Kind::text) return bad("a " + type + " column holds JSON text");
    json parsed = json::parse(c.bytes, nullptr, false);
    if (parsed.is_discarded()) return bad("'" + c.bytes + "' is not JSON");
    return render_json_value(field, parsed);
  }
  switch (c.kind) {
    case Cell::Kind::null:
      return json();
    case Cell::Kind::integer:
      if (type == "BOOLEAN") return json(c.integer != 0 ? "true" : "false");
      return json(std::to_string(c.integer));
    case Cell::Kind::real:
      if (type == "TIMESTAMP") return json(std::to_string(std::llround(c.real * 1e6)));
      if (type == "BOOLEAN") return json(c.real != 0 ? "true" : "false");
      return json(render_double(c.real));
    case Cell::Kind::text:
      if (type == "TIMESTAMP") {
        auto micros = parse_timestamp_micros(c.bytes);
        if (!micros) return bad("'" + c.bytes + "' is not a TIMESTAMP");
        return json(std::to_string(*micros));
      }
      if (type == "BYTES") return json(encode_base64(c.bytes));
      return json(c.bytes);
    case Cell::Kind::blob:
      if (type == "BYTES") return json(encode_base64(c.bytes));
      return json(c.bytes);
  }
  return json();
}

std::optional<std::int64_t> parse_timestamp_micros(std::string_view s) {
  std::size_t p = 0;
  auto year = digits(s, p, 4);
  if (!year || p >= s.size() || s[p++] != '-') return std::nullopt;
  auto month = digits(s, p, 2);
  if (!month || p >= s.size() || s[p++] != '-') return std::nullopt;
  auto day = digits(s, p, 2);
  if (!day || *month < 1 || *month > 12 || *day < 1 || *day > 31) return std::nullopt;
  std::int64_t seconds = 0, micros = 0, offset = 0;
  if (p < s.size() && (s[p] == 'T' || s[p] == 't' || s[p] == ' ') && p + 1 < s.size() &&
      std::isdigit(static_cast<unsigned char>(s[p + 1]))) {
    ++p;
    auto h = digits(s, p, 2);
    if (!h || p >= s.size() || s[p++] != ':') return std::nullopt;
    auto m = digits(s, p, 2);
    if (!m || *h > 23 || *m > 59) return std::nullopt;
    int sec = 0;
    if (p < s.size() && s[p] == ':') {
      ++p;
      auto sv = digits(s, p, 2);
      if (!sv || *sv > 60) return std::nullopt;
      sec = *sv;
      if (p < s.size() && s[p] == '.') {
        ++p;
        std::int64_t scale = 100000;
        const std::size_t start = p;
        while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
          if (p - start >= 6) return std::nullopt;  // BigQuery keeps microseconds only
          micros += (s[p] - '0') * scale;
          scale /= 10;
          ++p;
        }
        if (p == start) return std::nullopt;
      }
    }
    seconds = *h * 3600 + *m * 60 + sec;
  }
  const std::string_view zone = s.substr(p);
  if (zone == "Z" || zone == "z" || zone == " UTC" || zone == "UTC" || zone.empty()) {
    offset = 0;
  } else if (zone[0] == '+' || zone[0] == '-') {
    std::size_t q = 1;
    auto oh = digits(zone, q, 2);
    if (!oh) return std::nullopt;
    int om = 0;
    if (q < zone.size() && zone[q] == ':') ++q;
    if (q < zone.size()) {
      auto m = digits(zone, q, 2);
      if (!m || q != zone.size()) return std::nullopt;
      om = *m;
    }
    offset = (zone[0] == '-' ? -1 : 1) * (*oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  const std::int64_t days =
      days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  return (days * 86400 + seconds - offset) * 1000000 + micros;
}

std::string format_timestamp(std::int64_t micros) {
  std::int64_t secs = micros / 1000000;
  std::int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // civil_from_days (Howard Hinnant)
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00:00", y, m, d, rem / 3600,
                     rem / 60 % 60, rem % 60, frac);
}

std::string encode_base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes: drop one per '='.
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --len;
  out.resize(len);
  return out;
}

}  // namespace bqb::fakes::sqlite
