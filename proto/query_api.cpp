#include "proto/query_api.h"
#include "proto/json_text.h"

#include <algorithm>
#include <array>

#include "proto/json_fields.h"

namespace bqb::api {

namespace jf = json_fields;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr std::string_view kWhere = "the query request";

constexpr std::array<std::string_view, 14> kRequestFields{
    "query",          "project",        "location",        "account",
    "use_legacy_sql", "parameters",     "default_dataset", "max_rows",
    "page_size",      "dry_run",        "timeout_ms",      "maximum_bytes_billed",
    "labels",         "use_query_cache"};

tl::unexpected<Error> bad_field(std::string_view field, std::string_view problem) {
  return fail(Errc::bad_request, "field '" + std::string(field) + "' in " + std::string(kWhere) +
                                     " " + std::string(problem));
}

/// Reads an optional integer field that must be at least `min`.
Result<std::optional<std::int64_t>> int_at_least(const json& j, std::string_view name,
                                                 std::int64_t min) {
  BQB_TRY(v, jf::optional_int(j, name, kWhere));
  if (v.value_or(min) < min) {
    return bad_field(name, min == 0 ? "must not be negative" : "must be at least 1");
  }
  return v;
}

std::string to_line(const ordered_json& j) {
  return json_text(j) + "\n";
}

ordered_json error_object(const QueryError& e) {
  ordered_json inner = {{"code", std::string(to_string(e.error.code))},
                        {"message", e.error.message}};
  if (!e.error.hint.empty()) inner["hint"] = e.error.hint;
  if (!e.reason.empty()) inner["reason"] = e.reason;
  if (e.line) inner["line"] = *e.line;
  if (e.column) inner["column"] = *e.column;
  return inner;
}

}  // namespace

json to_json(const QueryRequest& r) {
  json j = {{"query", r.query}};
  if (r.project) j["project"] = *r.project;
  if (r.location) j["location"] = *r.location;
  if (r.account) j["account"] = *r.account;
  if (r.use_legacy_sql) j["use_legacy_sql"] = true;
  if (r.parameters.is_array() && !r.parameters.empty()) j["parameters"] = r.parameters;
  if (r.default_dataset) j["default_dataset"] = *r.default_dataset;
  if (r.max_rows) j["max_rows"] = *r.max_rows;
  if (r.page_size) j["page_size"] = *r.page_size;
  if (r.dry_run) j["dry_run"] = true;
  if (r.timeout_ms) j["timeout_ms"] = *r.timeout_ms;
  if (r.maximum_bytes_billed) j["maximum_bytes_billed"] = *r.maximum_bytes_billed;
  if (!r.labels.empty()) j["labels"] = r.labels;
  if (r.use_query_cache) j["use_query_cache"] = *r.use_query_cache;
  return j;
}

Result<QueryRequest> parse_query_request(const json& j) {
  if (!j.is_object()) return fail(Errc::invalid_json, "the query request must be a JSON object");
  for (const auto& [name, value] : j.items()) {
    if (std::find(kRequestFields.begin(), kRequestFields.end(), name) == kRequestFields.end()) {
      return fail(Errc::bad_request, "unknown field '" + name + "' in " + std::string(kWhere));
    }
  }
  QueryRequest r;
  BQB_TRY(query, jf::required_string(j, "query", kWhere));
  if (query.empty()) return bad_field("query", "is empty");
  r.query = std::move(query);
  BQB_TRY(project, jf::optional_string(j, "project", kWhere));
  BQB_TRY(location, jf::optional_string(j, "location", kWhere));
  BQB_TRY(account, jf::optional_string(j, "account", kWhere));
  BQB_TRY(dataset, jf::optional_string(j, "default_dataset", kWhere));
  for (const auto& [name, v] :
       {std::pair<std::string_view, const std::optional<std::string>&>{"project", project},
        {"location", location},
        {"account", account},
        {"default_dataset", dataset}}) {
    if (v && v->empty()) return bad_field(name, "is empty (leave it out instead)");
  }
  r.project = std::move(project);
  r.location = std::move(location);
  r.account = std::move(account);
  r.default_dataset = std::move(dataset);
  BQB_TRY(legacy, jf::optional_bool(j, "use_legacy_sql", kWhere));
  r.use_legacy_sql = legacy.value_or(false);
  if (auto it = j.find("parameters"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return bad_field("parameters", "must be an array");
    r.parameters = *it;
  }
  BQB_TRY(max_rows, int_at_least(j, "max_rows", 0));
  BQB_TRY(page_size, int_at_least(j, "page_size", 1));
  BQB_TRY(timeout_ms, int_at_least(j, "timeout_ms", 0));
  BQB_TRY(max_billed, int_at_least(j, "maximum_bytes_billed", 0));
  r.max_rows = max_rows;
  r.page_size = page_size;
  r.timeout_ms = timeout_ms;
  r.maximum_bytes_billed = max_billed;
  BQB_TRY(dry_run, jf::optional_bool(j, "dry_run", kWhere));
  r.dry_run = dry_run.value_or(false);
  if (auto it = j.find("labels"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return bad_field("labels", "must be an object of strings");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string())
        return bad_field("labels", "has a value that is not a string: '" + k + "'");
      r.labels[k] = v.get<std::string>();
    }
  }
  BQB_TRY(cache, jf::optional_bool(j, "use_query_cache", kWhere));
  r.use_query_cache = cache;
  return r;
}

json query_error_body(const QueryError& e) { return json{{"error", json(error_object(e))}}; }

std::string job_line(const QueryJob& j) {
  ordered_json out = {{"type", "job"}, {"project", j.project}};
  if (j.job_id) out["job_id"] = *j.job_id;
  if (j.query_id) out["query_id"] = *j.query_id;
  out["location"] = j.location;
  return to_line(out);
}

std::string schema_line(const ordered_json& fields) {
  return to_line(ordered_json{{"type", "schema"}, {"fields", fields}});
}

std::string row_line(const ordered_json& row) {
  return to_line(ordered_json{{"type", "row"}, {"row", row}});
}

std::string progress_line(const QueryProgress& p) {
  return to_line(
      ordered_json{{"type", "progress"}, {"elapsed_ms", p.elapsed_ms}, {"state", p.state}});
}

std::string end_line(const QueryEnd& e) {
  ordered_json out = {{"type", "end"},
                      {"total_rows", e.total_rows},
                      {"rows", e.rows},
                      {"bytes_processed", e.bytes_processed},
                      {"bytes_billed", e.bytes_billed},
                      {"cache_hit", e.cache_hit},
                      {"truncated", e.truncated},
                      {"dry_run", e.dry_run},
                      {"elapsed_ms", e.elapsed_ms}};
  if (e.num_dml_affected_rows) out["num_dml_affected_rows"] = *e.num_dml_affected_rows;
  return to_line(out);
}

std::string error_line(const QueryError& e) {
  return to_line(ordered_json{{"type", "error"}, {"error", error_object(e)}});
}

json to_json(const JobCancelResult& r) {
  return json{
      {"project", r.project}, {"job_id", r.job_id}, {"location", r.location}, {"state", r.state}};
}

}  // namespace bqb::api
