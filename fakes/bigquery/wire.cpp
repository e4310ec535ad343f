#include "fakes/bigquery/wire.h"

#include <charconv>

namespace bqb::fakes::bigquery {
namespace {

using nlohmann::json;

std::string grpc_status(int status) {
  switch (status) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "ALREADY_EXISTS";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
  }
}

json cell_with_float_timestamps(const json& field, const json& v);

json value_with_float_timestamps(const json& field, const json& v) {
  if (v.is_null()) return v;
  const std::string type = field.value("type", "");
  if ((type == "RECORD" || type == "STRUCT") && v.is_object() && v.contains("f")) {
    json out = v;
    const json& subs = field["fields"];
    for (std::size_t i = 0; i < out["f"].size() && i < subs.size(); ++i) {
      out["f"][i]["v"] = cell_with_float_timestamps(subs[i], out["f"][i]["v"]);
    }
    return out;
  }
  if (type == "TIMESTAMP" && v.is_string()) {
    std::int64_t micros = 0;
    const auto& s = v.get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), micros);
    if (ec == std::errc{} && end == s.data() + s.size()) return float_seconds(micros);
  }
  return v;
}

json cell_with_float_timestamps(const json& field, const json& v) {
  if (field.value("mode", "") == "REPEATED" && v.is_array()) {
    json out = json::array();
    for (const auto& e : v) {
      out.push_back(
          {{"v", value_with_float_timestamps(field, e.is_object() ? e.value("v", json()) : e)}});
    }
    return out;
  }
  return value_with_float_timestamps(field, v);
}

}  // namespace

FakeResponse error_response(const ScriptedError& e) {
  json proto = {{"message", e.message}, {"domain", "global"}, {"reason", e.reason}};
  if (!e.location.empty()) {
    proto["location"] = e.location;
    proto["locationType"] = e.location == "Authorization" ? "header" : "other";
  }
  json err = {{"code", e.status},
              {"message", e.message},
              {"errors", json::array({proto})},
              {"status", grpc_status(e.status)}};
  if (e.reason == "insufficientPermissions") {
    err["details"] = json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                   {"reason", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"},
                                   {"domain", "googleapis.com"}}});
  }
  FakeResponse r = json_response(e.status, {{"error", err}});
  if (e.status == 401)
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
  return r;
}

std::string float_seconds(std::int64_t micros) {
  // Java's Double.toString, as Google writes it: the shortest digits that read back as the same
  // double, in scientific form with at least one fractional digit ("1.4338368E9", "1.0E9",
  // "1.704067200123456E9": the microseconds survive while a double can hold them).
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<double>(micros) / 1e6,
                                       std::chars_format::scientific);
  const std::string s(buf, ec == std::errc{} ? end : buf);
  const std::size_t e = s.find('e');
  std::string mant = s.substr(0, e);
  if (mant.find('.') == std::string::npos) mant += ".0";
  return mant + "E" + std::to_string(std::stoi(s.substr(e + 1)));
}

json rows_with_float_timestamps(const json& fields, const json& rows) {
  json out = json::array();
  for (const auto& row : rows) {
    json r = row;
    if (r.is_object() && r.contains("f") && r["f"].is_array()) {
      for (std::size_t i = 0; i < r["f"].size() && i < fields.size(); ++i) {
        if (r["f"][i].is_object() && r["f"][i].contains("v")) {
          r["f"][i]["v"] = cell_with_float_timestamps(fields[i], r["f"][i]["v"]);
        }
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace bqb::fakes::bigquery
