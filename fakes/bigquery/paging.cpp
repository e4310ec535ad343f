#include "fakes/bigquery/paging.h"

#include <algorithm>
#include <charconv>

namespace bqb::fakes::bigquery {
namespace {

constexpr std::string_view kTokenPrefix = "fake-page-";

std::optional<std::size_t> offset_of(std::string_view token) {
  if (!token.starts_with(kTokenPrefix)) return std::nullopt;
  std::size_t n = 0;
  const std::string_view digits = token.substr(kTokenPrefix.size());
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size())
    return std::nullopt;
  return n;
}

}  // namespace

std::optional<std::int64_t> int_param(const Params& q, std::string_view name) {
  const std::string_view v = param(q, name);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
  return n;
}

std::string page_token_for(std::size_t offset) {
  return std::string(kTokenPrefix) + std::to_string(offset);
}

tl::expected<std::size_t, ScriptedError> page_start(const Params& q, std::size_t total) {
  const std::string_view token = param(q, "pageToken");
  if (!token.empty()) {
    auto o = offset_of(token);
    if (!o || *o > total)
      return tl::unexpected(ScriptedError{400, "invalid", "Invalid page token", {}});
    return *o;
  }
  const auto start = int_param(q, "startIndex");
  return static_cast<std::size_t>(std::max<std::int64_t>(0, start.value_or(0)));
}

PageSpan page_span(std::size_t total, std::size_t offset, std::optional<std::int64_t> page_size,
                   std::optional<std::int64_t> max_results) {
  PageSpan span;
  span.offset = std::min(offset, total);
  span.count = total - span.offset;
  for (const auto& limit : {page_size, max_results}) {
    if (limit && *limit >= 0) span.count = std::min(span.count, static_cast<std::size_t>(*limit));
  }
  if (span.offset + span.count < total) span.next_token = page_token_for(span.offset + span.count);
  return span;
}

}  // namespace bqb::fakes::bigquery
