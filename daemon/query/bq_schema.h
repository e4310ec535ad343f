#pragma once
// BigQuery's TableSchema as the REST API v2 sends it with query results:
// {"fields":[{"name","type","mode"?,"fields"?}]}. Types come in legacy spelling (INTEGER, FLOAT,
// BOOLEAN, RECORD) even for standard SQL; the standard names (INT64, FLOAT64, BOOL, STRUCT) are
// accepted too. The schema decides how every value of a column is converted (bq_value.h).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::bq {

enum class FieldType {
  string,
  bytes,
  integer,     // INTEGER, INT64
  float64,     // FLOAT, FLOAT64
  numeric,     // NUMERIC, DECIMAL
  bignumeric,  // BIGNUMERIC, BIGDECIMAL
  boolean,     // BOOLEAN, BOOL
  timestamp,
  date,
  time,
  datetime,
  geography,
  json,
  interval,
  range,
  record,   // RECORD, STRUCT
  unknown,  // a type this build does not know: its string values pass through unchanged
};

enum class FieldMode { nullable, required, repeated };

struct Field {
  std::string name;
  FieldType type = FieldType::string;
  std::string type_name;  // as BigQuery sent it ("INTEGER", "RECORD", …), for the schema line
  FieldMode mode = FieldMode::nullable;
  std::vector<Field> fields;  // the sub-fields of a RECORD, in order; empty otherwise

  friend bool operator==(const Field&, const Field&) = default;
};

struct Schema {
  std::vector<Field> fields;

  friend bool operator==(const Schema&, const Schema&) = default;
};

/// RECORDs nest at most 15 levels in BigQuery; deeper input is refused rather than recursed into.
inline constexpr std::size_t kMaxNesting = 32;

/// @returns the type named `name` (either spelling, case-insensitive); FieldType::unknown for a
/// name this build does not know.
FieldType field_type_from_name(std::string_view name);

/// @returns the schema in `j` (a TableSchema object). Errors are upstream_error naming the field
/// by its dotted path and `where` (e.g. "the jobs.query answer"): a missing or empty name, a
/// missing type, an unknown mode, a RECORD without sub-fields, nesting deeper than kMaxNesting.
Result<Schema> parse_schema(const nlohmann::json& j, std::string_view where);

/// @returns the schema as the socket API's `schema` line carries it:
/// [{"name","type","mode"[,"fields":[…]]}], types and modes in BigQuery's spelling.
nlohmann::ordered_json schema_to_json(const Schema& schema);

}  // namespace bqb::bq
