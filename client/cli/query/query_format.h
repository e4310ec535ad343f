#pragma once
// `bqbroker query`'s output formats. A RowWriter prints a result as it streams in: begin() once
// the columns are known, row() per row, then end() after the last row, or abort() when the
// query failed midway (what was printed stays; a json array is left unclosed, so that a reader
// cannot take a failed result for a whole one). Writers only write to their stream; the caller
// checks it for errors.
//
//   csv     RFC 4180: a header row, CRLF line ends, fields quoted only when they hold a comma,
//           a quote, CR or LF; NULL an empty field, the empty string "", RECORD and REPEATED
//           values as compact JSON
//   json    one array: "[\n", the row objects separated by ",\n", "\n]\n" ("[\n]\n" when empty)
//   ndjson  one row object per line
// json and ndjson rows are the objects the daemon sent, in column order, values as received.
// pretty (query_table.h) is the aligned table for a person.

#include <iosfwd>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/lib/query_events.h"

namespace bqb::cli {

enum class OutputFormat { pretty, csv, json, ndjson };

/// @returns the format named `name` ("pretty", "csv", "json", "ndjson"), or nullopt.
std::optional<OutputFormat> parse_output_format(std::string_view name);

class RowWriter {
 public:
  virtual ~RowWriter() = default;
  /// The result's columns, before any row.
  virtual void begin(const std::vector<client::Column>& columns) = 0;
  /// One row: an object with one member per column, in column order.
  virtual void row(const nlohmann::ordered_json& row) = 0;
  /// After the last row of a complete result.
  virtual void end() = 0;
  /// The query failed after begin(): print what is held back, close nothing.
  virtual void abort() = 0;
};

/// @returns the writer of `format` on `out`; for pretty, see make_table_writer.
std::unique_ptr<RowWriter> make_csv_writer(std::ostream& out);
std::unique_ptr<RowWriter> make_json_writer(std::ostream& out);
std::unique_ptr<RowWriter> make_ndjson_writer(std::ostream& out);

/// @returns `row` as compact JSON (invalid UTF-8 replaced by U+FFFD rather than throwing).
std::string row_json(const nlohmann::ordered_json& row);

}  // namespace bqb::cli
