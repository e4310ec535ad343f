// Which result answers a query: a scripted one, the built-in SELECT 1, or the executor's.

#include "fakes/bigquery/fake_bigquery.h"
#include "fakes/bigquery/query_config.h"
#include "fakes/bigquery/wire.h"

namespace bqb::fakes::bigquery {
namespace {

FakeResponse invalid_query(std::string message) {
  return error_response(ScriptedError{400, "invalidQuery", std::move(message), "query"});
}

FakeResponse legacy_mismatch(bool legacy) {
  // The API's default is legacy SQL: a client that forgets useLegacySql=false gets what Google
  // would give a standard-SQL query parsed as legacy SQL.
  return invalid_query(legacy ? "Legacy SQL was used (useLegacySql is true or absent) for a "
                                "standard SQL query at [1:1]"
                              : "Standard SQL was used for a legacy SQL query at [1:1]");
}

}  // namespace

tl::expected<ScriptedResult, FakeResponse> FakeBigQuery::resolve(const std::string& project,
                                                                 const std::string& query_text,
                                                                 const nlohmann::json& config) {
  const bool legacy = config.value("useLegacySql", true);
  std::optional<ScriptedResult> found;
  if (const ScriptedResult* s = find_result(query_text)) {
    found = *s;
  } else {
    found = builtin_result(query_text);
  }
  if (!found && executor_ != nullptr) {
    // The executor speaks standard SQL only: legacy SQL is refused before running anything.
    if (legacy) return tl::unexpected(legacy_mismatch(true));
    auto out = executor_->execute(query_request(project, query_text, config));
    found.emplace();
    found->query = query_text;
    found->schema = {{"fields", nlohmann::json::array()}};
    found->rows = nlohmann::json::array();
    if (out) {
      found->schema = std::move(out->schema);
      found->rows = std::move(out->rows);
      found->total_bytes_processed = out->total_bytes_processed;
      found->total_bytes_billed = out->total_bytes_processed;
    } else {
      found->error = std::move(out.error());
    }
  }
  if (!found) {
    return tl::unexpected(
        invalid_query("Unrecognized query (the fake BigQuery answers only queries registered with "
                      "POST /_fake/bigquery/results, and SELECT 1) at [1:1]"));
  }
  if (legacy != found->legacy_sql) return tl::unexpected(legacy_mismatch(legacy));
  return std::move(*found);
}

}  // namespace bqb::fakes::bigquery
