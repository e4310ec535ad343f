// Fuzz target: BigQuery's answers: a query page (jobs.query / getQueryResults), every row of it
// converted to the typed values the daemon streams as NDJSON, and an error answer classified.

#include <cstddef>
#include <cstdint>

#include "daemon/query/bq_response.h"
#include "daemon/query/bq_value.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace bq = bqb::bq;
  bqb::fuzz::Input in(data, size);
  if (auto page = bq::parse_query_page(in.text, "fuzz"); page && page->schema) {
    for (const auto& row : page->rows) (void)bq::convert_row(*page->schema, row, "fuzz");
  }
  (void)bq::classify_error(400, in.text);
  return 0;
}
