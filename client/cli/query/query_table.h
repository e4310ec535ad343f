#pragma once
// The `pretty` format: an aligned table for a person.
//
//   id | name  | tags
//   ---+-------+-----------
//    1 | Zoë   | ["a","b"]
//    2 | NULL  | []
//
// Column widths come from the header and the first `sample_rows` rows, which are held back
// until that many arrived or the result ended; later rows are printed as they come, cut to
// those widths. On a terminal the columns are narrowed (widest first) to fit its width; a cut
// value ends in "…". Numeric columns (and their headers) are right-aligned, NULL is written NULL
// (dimmed when `color`), control characters are escaped (\n, \t, \x1b), RECORD and REPEATED values
// are compact JSON. The last column is not padded (no trailing blanks).

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <optional>

#include "client/cli/query/query_format.h"

namespace bqb::cli {

struct TableStyle {
  std::optional<std::size_t> terminal_width;  // none: no limit (not a terminal)
  bool color = false;                         // ANSI dim for NULL
  std::size_t sample_rows = 200;
};

std::unique_ptr<RowWriter> make_table_writer(std::ostream& out, TableStyle style);

}  // namespace bqb::cli
