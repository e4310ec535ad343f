#pragma once
// BigQuery query parameters (QueryParameter JSON, as jobs.query and jobs.insert carry them) as
// SQLite values, pure. Scalars bind as their natural SQLite value: INT64 an integer, FLOAT64 a
// real, BOOL 0/1, BYTES a blob (from base64), TIMESTAMP the sample's canonical text (so it
// compares with stored TIMESTAMPs), every other type its text. ARRAY and STRUCT bind as JSON text,
// for SQLite's JSON functions: `x IN (SELECT value FROM json_each(@ids))`.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "fakes/sqlite/bq_values.h"

namespace bqb::fakes::sqlite {

struct BoundParameter {
  std::string name;  // "" for a positional parameter
  Cell value;
};

/// @returns the parameters of `query_parameters` (null or an array) in order, or the message of
/// BigQuery's 400 invalid naming the parameter that is malformed (unknown type, a value that is
/// not of its type, a missing name in NAMED mode). `mode` is parameterMode, in any case ("" = by
/// the names).
tl::expected<std::vector<BoundParameter>, std::string> parse_parameters(
    const nlohmann::json& query_parameters, const std::string& mode);

}  // namespace bqb::fakes::sqlite
