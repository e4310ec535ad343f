#include "client/cli/query/query_request.h"

#include <algorithm>

namespace bqb::cli {

Result<CliParam> split_param(std::string_view arg) {
  const std::size_t c1 = arg.find(':');
  const std::size_t c2 = c1 == std::string_view::npos ? c1 : arg.find(':', c1 + 1);
  if (c2 == std::string_view::npos) {
    return fail(Errc::bad_request,
                "--param '" + std::string(arg.substr(0, c1)) + "' is not name:TYPE:value",
                "examples: --param n:INT64:5, --param s::text (empty TYPE is STRING), "
                "--param :DATE:2024-01-31 (positional), --param ids:ARRAY<INT64>:[1,2]");
  }
  CliParam p;
  p.name = std::string(arg.substr(0, c1));
  p.type = std::string(arg.substr(c1 + 1, c2 - c1 - 1));
  const std::string_view value = arg.substr(c2 + 1);
  if (value != "NULL") p.value = std::string(value);
  return p;
}

nlohmann::json param_json(const CliParam& p) {
  nlohmann::json j = nlohmann::json::object();
  if (!p.name.empty()) j["name"] = p.name;
  j["type"] = p.type;
  j["value"] = p.value ? nlohmann::json(*p.value) : nlohmann::json(nullptr);
  return j;
}

Result<SqlSource> choose_sql_source(const std::optional<std::string>& arg, bool stdin_is_terminal) {
  if (arg) return *arg == "-" ? SqlSource::standard_input : SqlSource::argument;
  if (!stdin_is_terminal) return SqlSource::standard_input;
  return fail(Errc::bad_request, "no SQL given",
              "pass it as an argument (bqbroker query 'SELECT 1'), or on standard input "
              "(bqbroker query - < file.sql)");
}

nlohmann::json query_body(const QueryRequest& r, const std::string& sql) {
  nlohmann::json j = {{"query", sql}, {"use_legacy_sql", r.legacy_sql}};
  if (r.project) j["project"] = *r.project;
  if (r.location) j["location"] = *r.location;
  if (r.account) j["account"] = *r.account;
  if (r.default_dataset) j["default_dataset"] = *r.default_dataset;
  if (!r.params.empty()) {
    nlohmann::json params = nlohmann::json::array();
    for (const CliParam& p : r.params) params.push_back(param_json(p));
    j["parameters"] = std::move(params);
  }
  if (r.dry_run) j["dry_run"] = true;
  if (r.max_rows) j["max_rows"] = *r.max_rows;
  if (r.page_size) j["page_size"] = *r.page_size;
  if (r.max_bytes_billed) j["maximum_bytes_billed"] = *r.max_bytes_billed;
  return j;
}

Result<std::string> non_empty_sql(std::string sql, std::string_view source) {
  const bool blank = std::all_of(sql.begin(), sql.end(), [](unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
  if (blank) {
    return fail(Errc::bad_request, "the SQL from " + std::string(source) + " is empty",
                "bqbroker query 'SELECT 1', or bqbroker query - < file.sql");
  }
  return sql;
}

}  // namespace bqb::cli
