#pragma once
// BigQuery's all-strings row format ({"f":[{"v":…}]}) converted to typed JSON, by the schema's
// column type and never by the value's look:
//   INTEGER, NUMERIC, BIGNUMERIC     JSON string, exactly the digits sent (validated)
//   FLOAT                            JSON number; "NaN", "Infinity", "-Infinity" as those strings
//                                    (nlohmann would write a NaN double as null: it never sees one)
//   BOOLEAN                          true / false
//   BYTES                            the base64 string as sent (validated)
//   TIMESTAMP                        "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC, always 6 digits), from
//                                    int64 microseconds (formatOptions.useInt64Timestamp) or the
//                                    older float-seconds form
//   STRING, DATE, DATETIME, TIME, GEOGRAPHY, JSON, INTERVAL, RANGE, unknown types
//                                    the string as sent
//   RECORD                           an object keyed by sub-field name, in schema order
//   mode REPEATED                    an array (of records too); a null array is [] (BigQuery
//                                    returns NULL arrays as empty ones)
//   {"v":null}                       null
// Output uses nlohmann::ordered_json so that columns keep the schema's order.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/query/bq_schema.h"
#include "proto/error.h"

namespace bqb::bq {

/// @returns the row `row` ({"f":[…]}, one cell per schema field) as an object keyed by column
/// name. Malformed input (wrong shape, a cell count that does not match the schema, a value that
/// is not of its column's type) is upstream_error naming the column by its path ("a.b[2].c"),
/// its type and `where` (e.g. "row 7 of the getQueryResults answer"); values are never quoted
/// in messages (they are the user's data).
Result<nlohmann::ordered_json> convert_row(const Schema& schema, const nlohmann::json& row,
                                           std::string_view where);

/// @returns `micros` since the Unix epoch as "YYYY-MM-DDTHH:MM:SS.ffffffZ"; bad_request outside
/// BigQuery's range (years 0001..9999).
Result<std::string> format_timestamp_micros(std::int64_t micros);

}  // namespace bqb::bq
