#include "client/lib/query_events.h"

#include <utility>

#include "proto/api.h"
#include "proto/json_fields.h"

namespace bqb::client {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::string_view kWhere = "the daemon's query stream";

tl::unexpected<Error> bad_line(std::string_view type, std::string_view problem) {
  return fail(
      Errc::invalid_json,
      "a '" + std::string(type) + "' line of " + std::string(kWhere) + " " + std::string(problem),
      "bqbroker and bqbrokerd may be different versions: bqbroker --version");
}

Result<std::int64_t> int_or_zero(const json& j, std::string_view name, const std::string& where) {
  BQB_TRY(v, json_fields::optional_int(j, name, where));
  return v.value_or(0);
}

Result<bool> bool_or_false(const json& j, std::string_view name, const std::string& where) {
  BQB_TRY(v, json_fields::optional_bool(j, name, where));
  return v.value_or(false);
}

Result<QueryEvent> parse_job(const json& j) {
  const std::string where = std::string(kWhere) + " ('job' line)";
  JobEvent e;
  BQB_TRY(project, json_fields::optional_string(j, "project", where));
  BQB_TRY(job_id, json_fields::optional_string(j, "job_id", where));
  BQB_TRY(query_id, json_fields::optional_string(j, "query_id", where));
  BQB_TRY(location, json_fields::optional_string(j, "location", where));
  e.project = project.value_or("");
  e.job_id = job_id.value_or("");
  e.query_id = query_id.value_or("");
  e.location = location.value_or("");
  return e;
}

Result<QueryEvent> parse_schema(ordered_json& line) {
  auto it = line.find("fields");
  if (it == line.end() || !it->is_array()) return bad_line("schema", "has no 'fields' array");
  SchemaEvent e;
  for (const ordered_json& f : *it) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) {
      return bad_line("schema", "has a field without a 'name'");
    }
    Column c;
    c.name = f["name"].get<std::string>();
    if (auto t = f.find("type"); t != f.end() && t->is_string()) c.type = t->get<std::string>();
    if (auto m = f.find("mode"); m != f.end() && m->is_string()) c.mode = m->get<std::string>();
    e.columns.push_back(std::move(c));
  }
  e.fields = std::move(*it);
  return e;
}

Result<QueryEvent> parse_end(const json& j) {
  const std::string where = std::string(kWhere) + " ('end' line)";
  EndEvent e;
  BQB_TRY(total_rows, int_or_zero(j, "total_rows", where));
  BQB_TRY(rows, int_or_zero(j, "rows", where));
  BQB_TRY(processed, int_or_zero(j, "bytes_processed", where));
  BQB_TRY(billed, int_or_zero(j, "bytes_billed", where));
  BQB_TRY(elapsed, int_or_zero(j, "elapsed_ms", where));
  BQB_TRY(cache_hit, bool_or_false(j, "cache_hit", where));
  BQB_TRY(truncated, bool_or_false(j, "truncated", where));
  BQB_TRY(dry_run, bool_or_false(j, "dry_run", where));
  BQB_TRY(dml, json_fields::optional_int(j, "num_dml_affected_rows", where));
  e.total_rows = total_rows;
  e.rows = rows;
  e.bytes_processed = processed;
  e.bytes_billed = billed;
  e.elapsed_ms = elapsed;
  e.cache_hit = cache_hit;
  e.truncated = truncated;
  e.dry_run = dry_run;
  e.dml_affected_rows = dml;
  return e;
}

Result<QueryEvent> parse_error(const json& j) {
  // The same object as the error envelope's, so the envelope's parser reads it.
  BQB_TRY(error, api::parse_error_body(j));
  return ErrorEvent{std::move(error), j["error"]};
}

}  // namespace

Result<QueryEvent> parse_query_line(std::string_view line) {
  ordered_json j = ordered_json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(Errc::invalid_json, "a line of " + std::string(kWhere) + " is not a JSON object",
                "bqbroker and bqbrokerd may be different versions: bqbroker --version");
  }
  auto type_it = j.find("type");
  if (type_it == j.end() || !type_it->is_string()) {
    return fail(Errc::invalid_json, "a line of " + std::string(kWhere) + " has no 'type'");
  }
  const std::string type = type_it->get<std::string>();
  if (type == "row") {
    auto row = j.find("row");
    if (row == j.end() || !row->is_object()) return bad_line(type, "has no 'row' object");
    return RowEvent{std::move(*row)};
  }
  if (type == "schema") return parse_schema(j);
  // The other lines are small; json_fields reads nlohmann::json.
  const json plain = j;
  if (type == "job") return parse_job(plain);
  if (type == "progress") {
    const std::string where = std::string(kWhere) + " ('progress' line)";
    BQB_TRY(elapsed, int_or_zero(plain, "elapsed_ms", where));
    BQB_TRY(state, json_fields::optional_string(plain, "state", where));
    return ProgressEvent{elapsed, state.value_or("")};
  }
  if (type == "end") return parse_end(plain);
  if (type == "error") return parse_error(plain);
  return UnknownEvent{type};
}

std::optional<SqlPosition> sql_position(const nlohmann::json& error_object) {
  if (!error_object.is_object()) return std::nullopt;
  auto line = error_object.find("line");
  auto column = error_object.find("column");
  if (line == error_object.end() || column == error_object.end() || !line->is_number_integer() ||
      !column->is_number_integer()) {
    return std::nullopt;
  }
  const auto l = line->get<std::int64_t>();
  const auto c = column->get<std::int64_t>();
  if (l < 1 || c < 1 || l > 1'000'000'000 || c > 1'000'000'000) return std::nullopt;
  return SqlPosition{static_cast<int>(l), static_cast<int>(c)};
}

}  // namespace bqb::client
