#pragma once
// Comparing one query's rows as two clients print them, value by value by the column's BigQuery
// type: `bqbroker query --format json` (the daemon's typed JSON: INTEGER/NUMERIC as strings of
// digits, FLOAT as numbers or "Infinity"/…, TIMESTAMP as RFC 3339 µs UTC, BYTES base64, RECORD
// objects, REPEATED arrays) and a client library's program: tests/e2e/bigquery_node_query.mjs
// (Node's @google-cloud/bigquery: a wrapper class's value as {"<class>": text}, Buffer as
// {"Buffer": base64}, see the script) or tests/go's bqbgo (Go's cloud.google.com/go/bigquery: the
// Go type as the tag, {"int64": "…"}, {"*big.Rat": "…"}, {"[]byte": base64}, …).
// What counts as equal is the value, not the spelling: decimals as exact decimals (Big's
// "-1e-9" is "-0.000000001"), timestamps as the same instant, bytes as the same bytes, JSON as
// the same document. Pure logic.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace bqb::e2e {

/// An exact decimal: `digits` × 10^`exponent`, digits without leading or trailing zeros (empty for
/// zero, which is never negative).
struct Decimal {
  bool negative = false;
  std::string digits;
  std::int64_t exponent = 0;
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

/// @returns `text` ("-12.50", "1e-9", "9.99E+28") as an exact decimal; nullopt when it is not
/// one (no digits, junk, a huge exponent).
std::optional<Decimal> parse_decimal(std::string_view text);

/// @returns the instant `text` names ("YYYY-MM-DD(T| )HH:MM:SS[.fraction](Z|±HH:MM)", years
/// 0001–9999) as microseconds since the Unix epoch; nullopt when it is not one or has a non-zero
/// digit below the microsecond.
std::optional<std::int64_t> parse_instant_micros(std::string_view text);

/// The tags a client's program gives the values it chose a type for ({"<tag>": text}).
struct ClientTypes {
  std::string integer, decimal, non_finite_float, bytes, timestamp, date, datetime, time;
};
inline const ClientTypes kNodeTypes{
    "BigQueryInt",       "Big",          "number",           "Buffer",
    "BigQueryTimestamp", "BigQueryDate", "BigQueryDatetime", "BigQueryTime"};
inline const ClientTypes kGoTypes{"int64",     "*big.Rat",   "float64",        "[]byte",
                                  "time.Time", "civil.Date", "civil.DateTime", "civil.Time"};

/// One value that differs.
struct Difference {
  std::size_t row = 0;
  std::string column;  // path: "lines[1].price", "address.since"
  std::string type;    // the schema's type of that value: "TIMESTAMP", …
  nlohmann::json ours;
  nlohmann::json theirs;  // the client's
  std::string why;
};
std::string describe(const Difference& d);

/// Compares `ours` (bqbroker's rows, an array of objects) with `theirs` (the client program's
/// rows, tagged as `types` says) by the columns of `schema_fields` (TableFieldSchema objects:
/// name, type, mode, fields). Row order counts (the queries order their rows). A row-count or
/// column-set mismatch is a Difference too (row = the first missing row, column "*").
std::vector<Difference> compare_rows(const nlohmann::json& schema_fields,
                                     const nlohmann::json& ours, const nlohmann::json& theirs,
                                     const ClientTypes& types = kNodeTypes);

}  // namespace bqb::e2e
