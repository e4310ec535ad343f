// tables.get and tabledata.list (GET /bigquery/v2/projects/{p}/datasets/{d}/tables/{t}[/data]):
// a table's resource and its rows, paged as BigQuery pages them. The tables are a query job's
// anonymous result table — as at BigQuery, a job's configuration.query.destinationTable names one
// in a hidden dataset of its project ("_" and 40 hex digits; the table "anon" and 40 hex digits),
// which exists once the query succeeded — and the tables the executor holds (the emulator's
// samples.*, under any project, as its queries read them). Go's client reads every query's rows
// this way. Not supported, and refused rather than ignored: selectedFields. The `fields` partial
// response parameter is ignored (the whole resource comes back).

#include <algorithm>
#include <cctype>

#include "fakes/bigquery/fake_bigquery.h"
#include "fakes/bigquery/paging.h"
#include "fakes/bigquery/query_config.h"
#include "fakes/bigquery/wire.h"
#include "fakes/oauth/crypto.h"
#include "fakes/oauth/params.h"

namespace bqb::fakes::bigquery {
namespace {

using nlohmann::json;

FakeResponse invalid(std::string message) {
  return error_response(ScriptedError{400, "invalid", std::move(message), {}});
}

/// BigQuery's dataset and table id alphabet: letters, digits and '_', at most 1024 characters.
bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 1024 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

std::string table_path(const std::string& project, const TableName& t) {
  return project + ":" + t.dataset + "." + t.table;
}

/// tabledata.list's answer for `q` over `t`'s rows.
FakeResponse list_rows(const Params& q, const json& schema, const json& all_rows) {
  for (const char* k : {"maxResults", "startIndex"}) {
    const std::string_view text = param(q, k);
    const auto n = int_param(q, k);
    if (!text.empty() && (!n || *n < 0)) {
      return invalid("Invalid value for " + std::string(k) + ": " + std::string(text));
    }
  }
  if (!param(q, "selectedFields").empty()) {
    return invalid("selectedFields is not supported by the fake BigQuery");
  }
  const auto start = page_start(q, all_rows.size());
  if (!start) return error_response(start.error());
  const PageSpan span =
      page_span(all_rows.size(), *start, std::nullopt, int_param(q, "maxResults"));
  json rows = json::array();
  for (std::size_t i = span.offset; i < span.offset + span.count; ++i) rows.push_back(all_rows[i]);
  if (param(q, "formatOptions.useInt64Timestamp") != "true") {
    rows = rows_with_float_timestamps(schema["fields"], rows);
  }
  json out = {{"kind", "bigquery#tableDataList"}, {"totalRows", std::to_string(all_rows.size())}};
  if (!rows.empty()) out["rows"] = std::move(rows);
  if (span.next_token) out["pageToken"] = *span.next_token;
  return json_response(200, out);
}

}  // namespace

void FakeBigQuery::assign_destination(const std::string& key, Job& job) {
  job.destination = {"_" + sha256_hex("anonymous dataset of " + job.project).substr(0, 40),
                     "anon" + sha256_hex(key).substr(0, 40)};
  anonymous_tables_[table_path(job.project, job.destination)] = key;
}

tl::expected<FakeBigQuery::TableContent, FakeResponse> FakeBigQuery::find_table(
    const Route& route) {
  const TableName& name = route.table;
  auto anonymous = anonymous_tables_.find(table_path(route.project, name));
  if (anonymous != anonymous_tables_.end()) {
    const Job& job = jobs_.at(anonymous->second);
    if (!job.cancelled && job.polls_left == 0 && !job.result.error) {
      return TableContent{job.result.schema, job.result.rows, job.location};
    }
  } else if (executor_ != nullptr && valid_id(name.dataset) && valid_id(name.table)) {
    // The executor's tables are what its queries read; any failure to read one (no such table
    // or dataset) is the table's absence.
    auto out = executor_->execute(query_request(
        route.project, "SELECT * FROM `" + name.dataset + "." + name.table + "`", json::object()));
    if (out) return TableContent{std::move(out->schema), std::move(out->rows), "US"};
  }
  return tl::unexpected(error_response(
      ScriptedError{404, "notFound", "Not found: Table " + table_path(route.project, name), {}}));
}

FakeResponse FakeBigQuery::table_call(const Route& route, const std::string& query_string) {
  const bool data = route.op == Op::table_data;
  count(data ? "tabledata_list" : "tables_get");
  json entry = {{"method", data ? "tabledata.list" : "tables.get"},
                {"project", route.project},
                {"dataset", route.table.dataset},
                {"table", route.table.table}};
  auto q = parse_params(query_string, data ? "the tabledata.list query" : "the tables.get query");
  FakeResponse r = [&]() -> FakeResponse {
    if (!q) return invalid(q.error().description);
    for (const char* k : {"maxResults", "pageToken", "startIndex",
                          "formatOptions.useInt64Timestamp", "selectedFields", "fields"}) {
      if (q->contains(k)) entry[k] = std::string(param(*q, k));
    }
    auto table = find_table(route);
    if (!table) return table.error();
    if (data) return list_rows(*q, table->schema, table->rows);
    return json_response(200, {{"kind", "bigquery#table"},
                               {"id", table_path(route.project, route.table)},
                               {"tableReference",
                                {{"projectId", route.project},
                                 {"datasetId", route.table.dataset},
                                 {"tableId", route.table.table}}},
                               {"schema", table->schema},
                               {"numRows", std::to_string(table->rows.size())},
                               {"type", "TABLE"},
                               {"location", table->location}});
  }();
  entry["status"] = r.status;
  stats_["table_log"].push_back(entry);
  return r;
}

}  // namespace bqb::fakes::bigquery
