#pragma once
// BigQuery's answers on the wire, as the fake writes them: error bodies and TIMESTAMP values in
// the form a client gets without formatOptions.useInt64Timestamp.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fakes/bigquery/script.h"
#include "fakes/oauth/http_types.h"

namespace bqb::fakes::bigquery {

/// @returns Google's error answer {"error":{"code","message","errors":[{…}],"status"}} for `e`.
FakeResponse error_response(const ScriptedError& e);

/// @returns int64 microseconds `micros` as BigQuery's float seconds ("1.4338368E9").
std::string float_seconds(std::int64_t micros);

/// @returns `rows` with every TIMESTAMP value of `schema` (nested and repeated too) rewritten
/// from int64 microseconds to float seconds.
nlohmann::json rows_with_float_timestamps(const nlohmann::json& schema_fields,
                                          const nlohmann::json& rows);

}  // namespace bqb::fakes::bigquery
