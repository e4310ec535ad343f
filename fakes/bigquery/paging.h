#pragma once
// Pages of rows as BigQuery hands them out, shared by getQueryResults and tabledata.list: where a
// page starts (an opaque pageToken, else startIndex), how many rows it holds (maxResults, a
// scripted page size) and the token of the next one. Pure.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "fakes/bigquery/script.h"
#include "fakes/oauth/params.h"

namespace bqb::fakes::bigquery {

/// @returns the integer parameter `name` of `q`, or nullopt when absent or not an integer.
std::optional<std::int64_t> int_param(const Params& q, std::string_view name);

/// @returns the page token naming row `offset` (opaque to clients).
std::string page_token_for(std::size_t offset);

/// @returns the first row of the page `q` asks for among `total` rows: its pageToken's
/// (400 invalid when the token is none of ours or lies past the end), else startIndex (0 when
/// absent; past the end is an empty page).
tl::expected<std::size_t, ScriptedError> page_start(const Params& q, std::size_t total);

/// The rows of one page: [offset, offset + count) and the token of the next page, if any.
struct PageSpan {
  std::size_t offset = 0;
  std::size_t count = 0;
  std::optional<std::string> next_token;
};

/// @returns the page of `total` rows from `offset` holding at most `page_size` and at most
/// `max_results` rows (a negative or absent limit is no limit; maxResults=0 is no rows and the
/// token of the same offset, as BigQuery answers a client that only waits for the job).
PageSpan page_span(std::size_t total, std::size_t offset, std::optional<std::int64_t> page_size,
                   std::optional<std::int64_t> max_results);

}  // namespace bqb::fakes::bigquery
