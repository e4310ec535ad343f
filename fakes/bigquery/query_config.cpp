#include "fakes/bigquery/query_config.h"

namespace bqb::fakes::bigquery {

std::optional<ScriptedError> check_query_fields(const nlohmann::json& config) {
  auto invalid = [](std::string message) {
    return ScriptedError{400, "invalid", std::move(message), {}};
  };
  for (const char* k : {"useLegacySql", "dryRun", "useQueryCache"}) {
    if (config.contains(k) && !config[k].is_boolean()) {
      return invalid(std::string("Invalid value for ") + k + ": not a boolean");
    }
  }
  if (config.contains("parameterMode") && !config["parameterMode"].is_string()) {
    return invalid("Invalid value for parameterMode: not a string");
  }
  if (config.contains("queryParameters") && !config["queryParameters"].is_array()) {
    return invalid("Invalid value for queryParameters: not an array");
  }
  return std::nullopt;
}

QueryRequest query_request(const std::string& project, const std::string& query_text,
                           const nlohmann::json& config) {
  QueryRequest r;
  r.project = project;
  r.query = query_text;
  r.parameter_mode = config.value("parameterMode", "");
  r.query_parameters = config.value("queryParameters", nlohmann::json());
  return r;
}

}  // namespace bqb::fakes::bigquery
