#pragma once
// BigQuery query parameters (standard SQL `@name` or `?`): their types, values, the wire form of
// QueryRequest.queryParameters, and the two ways a client gives them:
//   - JSON (the socket API): {"name"?: "x", "type": "ARRAY<INT64>", "value": …}, the value a
//     JSON scalar (string, number, bool, null), an array for ARRAY, an object (by field name) or
//     array (by position) for STRUCT, or for ARRAY/STRUCT a string holding that JSON;
//   - the `bq` CLI's `--parameter name:TYPE:value` (an empty name is positional, an empty TYPE is
//     STRING, the value `NULL` is NULL, ARRAY/STRUCT values are JSON text:
//     `ids:ARRAY<INT64>:[1,2]`, `s:STRUCT<x INT64, y STRING>:{"x":1,"y":"a"}`).
// Type names follow standard SQL (INT64, FLOAT64, BOOL, …); the legacy spellings are accepted.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::bq {

struct ParamField;

struct ParamType {
  std::string type;                // INT64, STRING, …, ARRAY, STRUCT
  std::vector<ParamType> element;  // ARRAY: exactly one entry
  // STRUCT: in order. A named struct rather than std::pair: a pair of the incomplete ParamType
  // is ill-formed, and clang with libstdc++ refuses it.
  std::vector<ParamField> fields;

  friend bool operator==(const ParamType&, const ParamType&) = default;
};

struct ParamField {
  std::string name;
  ParamType type;

  friend bool operator==(const ParamField&, const ParamField&) = default;
};

struct ParamValue {
  bool null = false;
  std::string scalar;                // a scalar's value as BigQuery wants it (always a string)
  std::vector<ParamValue> elements;  // ARRAY
  std::vector<ParamValue> fields;    // STRUCT, in the type's field order

  friend bool operator==(const ParamValue&, const ParamValue&) = default;
};

struct QueryParameter {
  std::string name;  // empty: positional
  ParamType type;
  ParamValue value;

  friend bool operator==(const QueryParameter&, const QueryParameter&) = default;
};

/// @returns the type `text` spells: a scalar name, ARRAY<T> or STRUCT<name T, …> (nested, any
/// case, spaces allowed); "" is STRING. bad_request naming `where` for anything else (an ARRAY
/// of ARRAY, which BigQuery refuses, included).
Result<ParamType> parse_param_type(std::string_view text, std::string_view where);
/// @returns `t` spelled as parse_param_type reads it ("ARRAY<STRUCT<a INT64>>").
std::string param_type_to_string(const ParamType& t);

/// @returns the value `v` gives to a parameter of type `t` (forms above); bad_request naming the
/// element ("ids[2]", "s.x") and `where` when it does not fit: an INT64 that is not a 64-bit
/// integer, a BOOL that is not true/false, a FLOAT64 that is not a number (NaN, Infinity and
/// -Infinity are), a wrong shape, an unknown STRUCT field.
Result<ParamValue> param_value_from_json(const ParamType& t, const nlohmann::json& v,
                                         std::string_view where);

/// @returns the parameter in socket-API JSON form `j` (see above).
Result<QueryParameter> parse_param_json(const nlohmann::json& j, std::string_view where);

/// @returns `p` in BigQuery's QueryParameter wire form:
/// {"name"?, "parameterType": {"type", "arrayType"?, "structTypes"?: [{"name","type"}]},
///  "parameterValue": {"value"?, "arrayValues"?, "structValues"?: {name: value}}}.
nlohmann::json param_to_wire(const QueryParameter& p);

}  // namespace bqb::bq
