#pragma once
// The query fields jobs.query's body and jobs.insert's configuration.query share, checked as
// Google checks their types.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "fakes/bigquery/executor.h"
#include "fakes/bigquery/script.h"

namespace bqb::fakes::bigquery {

/// @returns the 400 `invalid` error for a field of the wrong type in `config` (useLegacySql,
/// dryRun, useQueryCache not booleans; parameterMode not a string; queryParameters not an
/// array), or nullopt when they are fine.
std::optional<ScriptedError> check_query_fields(const nlohmann::json& config);

/// @returns what the executor is asked to run; `config` passed check_query_fields.
QueryRequest query_request(const std::string& project, const std::string& query_text,
                           const nlohmann::json& config);

}  // namespace bqb::fakes::bigquery
