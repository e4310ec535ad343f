#include "proto/doctor_api.h"

#include "proto/api.h"
#include "proto/json_fields.h"

namespace bqb::api {
namespace {

using nlohmann::json;
constexpr std::string_view kWhere = "doctor response";

/// Adds `error` (the inner object of an error body) to `j` when set.
void put_error(json& j, const std::optional<Error>& error) {
  if (error) j["error"] = error_body(*error)["error"];
}

/// @returns the error in j["error"], if any.
Result<std::optional<Error>> get_error(const json& j) {
  if (!j.contains("error") || j["error"].is_null()) return std::nullopt;
  BQB_TRY(e, parse_error_body(json{{"error", j["error"]}}));
  return e;
}

/// @returns j[name] as an object, or invalid_json naming it.
Result<const json*> section(const json& j, std::string_view name) {
  auto it = j.is_object() ? j.find(name) : j.end();
  if (it == j.end() || !it->is_object()) {
    return fail(Errc::invalid_json,
                "field '" + std::string(name) + "' in " + std::string(kWhere) + " is missing");
  }
  return &*it;
}

}  // namespace

json to_json(const DoctorResponse& r) {
  json config = {{"path", r.config.path}};
  put_error(config, r.config.error);
  json store = {{"kind", r.store.kind}};
  put_error(store, r.store.error);
  json clock = {{"url", r.clock.url}};
  if (r.clock.skew_seconds) clock["skew_seconds"] = *r.clock.skew_seconds;
  put_error(clock, r.clock.error);
  json j = {
      {"config", std::move(config)}, {"store", std::move(store)}, {"clock", std::move(clock)}};
  j["metadata_listen"] = r.metadata_listen ? json(*r.metadata_listen) : json(nullptr);
  return j;
}

Result<DoctorResponse> parse_doctor_response(const json& j) {
  DoctorResponse r;
  BQB_TRY(config, section(j, "config"));
  BQB_TRY(config_path, json_fields::required_string(*config, "path", kWhere));
  BQB_TRY(config_error, get_error(*config));
  r.config = {std::move(config_path), std::move(config_error)};

  BQB_TRY(store, section(j, "store"));
  BQB_TRY(kind, json_fields::required_string(*store, "kind", kWhere));
  BQB_TRY(store_error, get_error(*store));
  r.store = {std::move(kind), std::move(store_error)};

  BQB_TRY(clock, section(j, "clock"));
  BQB_TRY(url, json_fields::required_string(*clock, "url", kWhere));
  BQB_TRY(skew, json_fields::optional_int(*clock, "skew_seconds", kWhere));
  BQB_TRY(clock_error, get_error(*clock));
  r.clock = {std::move(url), skew, std::move(clock_error)};

  BQB_TRY(listen, json_fields::optional_string(j, "metadata_listen", kWhere));
  r.metadata_listen = std::move(listen);
  return r;
}

}  // namespace bqb::api
