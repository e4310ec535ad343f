#include "fakes/bigquery/script.h"

#include "proto/json_fields.h"

namespace bqb::fakes::bigquery {
namespace {

namespace jf = json_fields;
using nlohmann::json;

Result<ScriptedError> parse_error(const json& j, std::string_view where) {
  if (!j.is_object()) return fail(Errc::invalid_json, std::string(where) + " must be an object");
  ScriptedError e;
  BQB_TRY(status, jf::optional_int(j, "status", where));
  BQB_TRY(reason, jf::optional_string(j, "reason", where));
  BQB_TRY(message, jf::optional_string(j, "message", where));
  BQB_TRY(location, jf::optional_string(j, "location", where));
  if (reason) e.reason = *reason;
  if (status) {
    e.status = static_cast<int>(*status);
  } else {
    // BigQuery's usual statuses for its reasons.
    const std::string& r = e.reason;
    e.status = r == "notFound" ? 404
               : r == "accessDenied" || r == "quotaExceeded" || r == "rateLimitExceeded" ||
                       r == "insufficientPermissions"
                   ? 403
               : r == "backendError"  ? 503
               : r == "internalError" ? 500
               : r == "authError"     ? 401
               : r == "duplicate"     ? 409
                                      : 400;
  }
  if (e.status < 400 || e.status > 599) {
    return fail(Errc::invalid_json, "field 'status' in " + std::string(where) + " must be 4xx/5xx");
  }
  e.message = message.value_or(e.reason + " (scripted by the fake)");
  if (location) e.location = *location;
  return e;
}

Result<ScriptedFault> parse_fault(const json& j, const std::string& at) {
  BQB_TRY(delivery, parse_delivery_fault(j, at));
  BQB_TRY(skip, jf::optional_int(j, "skip", at));
  if (skip && *skip < 0) return fail(Errc::invalid_json, "field 'skip' in " + at + " must be ≥ 0");
  ScriptedFault f;
  if (delivery.body) {
    // A raw body (garbage, an HTML page) may come with any status, a 200 included (the token
    // endpoint's needs one).
    BQB_TRY(status, jf::optional_int(j, "status", at));
    if (status && (*status < 100 || *status > 599)) {
      return fail(Errc::invalid_json, "field 'status' in " + at + " must be an HTTP status");
    }
    f.error.status = static_cast<int>(status.value_or(200));
  } else {
    BQB_TRY(error, parse_error(j, at));
    f.error = std::move(error);
  }
  f.delivery = std::move(delivery);
  f.skip = static_cast<int>(skip.value_or(0));
  const DeliveryFault& d = f.delivery;
  f.replaces_answer =
      !d.cut || d.body || d.hang || d.close || j.contains("reason") || j.contains("status");
  return f;
}

}  // namespace

Result<ScriptedResult> parse_scripted_result(const json& j, std::string_view where) {
  if (!j.is_object()) return fail(Errc::invalid_json, std::string(where) + " must be an object");
  ScriptedResult r;
  BQB_TRY(query, jf::required_string(j, "query", where));
  r.query = std::move(query);
  if (auto s = j.find("schema"); s != j.end() && !s->is_null()) {
    if (!s->is_object() || !s->contains("fields")) {
      return fail(Errc::invalid_json,
                  "field 'schema' in " + std::string(where) + " must be {\"fields\":[…]}");
    }
    r.schema = *s;
  } else {
    r.schema = {{"fields", json::array()}};
  }
  r.rows = json::array();
  if (auto rows = j.find("rows"); rows != j.end() && !rows->is_null()) {
    if (!rows->is_array()) {
      return fail(Errc::invalid_json,
                  "field 'rows' in " + std::string(where) + " must be an array");
    }
    r.rows = *rows;
  }
  // "repeat_rows": n serves the rows n times over, so that a test can ask for a result far larger
  // than the control API's 1 MiB body limit.
  BQB_TRY(repeat, jf::optional_int(j, "repeat_rows", where));
  if (repeat) {
    if (*repeat < 1 || *repeat > 1000000) {
      return fail(Errc::invalid_json,
                  "field 'repeat_rows' in " + std::string(where) + " must be 1..1000000");
    }
    json once = std::move(r.rows);
    r.rows = json::array();
    for (std::int64_t i = 0; i < *repeat; ++i) {
      for (const auto& row : once) r.rows.push_back(row);
    }
  }
  BQB_TRY(page_size, jf::optional_int(j, "page_size", where));
  BQB_TRY(polls, jf::optional_int(j, "polls_before_complete", where));
  BQB_TRY(poll_delay, jf::optional_int(j, "poll_delay_ms", where));
  BQB_TRY(page_delay, jf::optional_int(j, "page_delay_ms", where));
  BQB_TRY(processed, jf::optional_int(j, "total_bytes_processed", where));
  BQB_TRY(billed, jf::optional_int(j, "total_bytes_billed", where));
  BQB_TRY(cache_hit, jf::optional_bool(j, "cache_hit", where));
  BQB_TRY(location, jf::optional_string(j, "location", where));
  BQB_TRY(legacy, jf::optional_bool(j, "legacy_sql", where));
  if (page_size && *page_size < 1) {
    return fail(Errc::invalid_json, "field 'page_size' in " + std::string(where) + " must be ≥ 1");
  }
  r.page_size = page_size;
  r.polls_before_complete = static_cast<int>(polls.value_or(0));
  r.poll_delay = std::chrono::milliseconds(poll_delay.value_or(0));
  r.page_delay = std::chrono::milliseconds(page_delay.value_or(0));
  r.total_bytes_processed = processed.value_or(0);
  r.total_bytes_billed = billed.value_or(r.total_bytes_processed);
  r.cache_hit = cache_hit.value_or(false);
  if (location) r.location = *location;
  r.legacy_sql = legacy.value_or(false);
  if (auto e = j.find("error"); e != j.end() && !e->is_null()) {
    BQB_TRY(error, parse_error(*e, "field 'error' in " + std::string(where)));
    r.error = std::move(error);
  }
  if (auto f = j.find("faults"); f != j.end() && !f->is_null()) {
    if (!f->is_array()) {
      return fail(Errc::invalid_json,
                  "field 'faults' in " + std::string(where) + " must be an array");
    }
    for (std::size_t i = 0; i < f->size(); ++i) {
      BQB_TRY(fault,
              parse_fault((*f)[i], "faults[" + std::to_string(i) + "] in " + std::string(where)));
      r.faults.push_back(std::move(fault));
    }
  }
  return r;
}

std::optional<ScriptedResult> builtin_result(std::string_view query) {
  if (query != "SELECT 1") return std::nullopt;
  ScriptedResult r;
  r.query = std::string(query);
  r.schema = json::parse(R"({"fields":[{"name":"f0_","type":"INTEGER","mode":"NULLABLE"}]})");
  r.rows = json::parse(R"([{"f":[{"v":"1"}]}])");
  return r;
}

}  // namespace bqb::fakes::bigquery
