#pragma once
// What the fake BigQuery answers for a query text: queries are scripted, never executed. A test
// registers a ScriptedResult through the control API (POST /_fake/bigquery/results).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/oauth/delivery_fault.h"
#include "proto/error.h"

namespace bqb::fakes::bigquery {

/// A BigQuery error answer: HTTP status plus the ErrorProto of its body.
struct ScriptedError {
  int status = 400;
  std::string reason = "invalidQuery";
  std::string message = "fake error";
  std::string location;  // ErrorProto.location, e.g. "query"
};

/// An answer given instead of processing a request, `delivery.count` times (5xx then success, a
/// 401, …), or, for a `cut` alone, the processed answer cut short.
struct ScriptedFault {
  ScriptedError error;     // the answer; with a raw body only its status counts (any, default 200)
  DeliveryFault delivery;  // delay, hang, close, cut, retry_after, a raw body, count
  int skip = 0;            // requests for the query served normally before this fault applies
  bool replaces_answer = true;  // false for a `cut` alone: the request is processed
};

struct ScriptedResult {
  std::string query;                        // the exact query text it answers
  nlohmann::json schema;                    // TableSchema {"fields":[…]}
  nlohmann::json rows;                      // BigQuery's all-strings rows; TIMESTAMPs as int64 µs
  std::optional<std::int64_t> page_size;    // rows per page unless maxResults asks for fewer
  int polls_before_complete = 0;            // answers with jobComplete=false before the result
  std::chrono::milliseconds poll_delay{0};  // each incomplete answer waits this (≤ timeoutMs)
  std::chrono::milliseconds page_delay{0};  // each page with rows waits this (a slow stream)
  std::int64_t total_bytes_processed = 0;
  std::int64_t total_bytes_billed = 0;
  bool cache_hit = false;
  std::string location = "US";
  bool legacy_sql = false;  // the query is legacy SQL: accepted only with useLegacySql true
  std::optional<ScriptedError> error;  // the job fails with this once complete
  std::vector<ScriptedFault> faults;   // answered first, in order (per request to this query)
};

/// @returns the result described by the control API's JSON `j` (see fakes/README.md);
/// invalid_json naming the field for a wrong one.
Result<ScriptedResult> parse_scripted_result(const nlohmann::json& j, std::string_view where);

/// @returns the built-in answer for a query nobody registered: `SELECT 1` gives one row with
/// one INTEGER column f0_; anything else has no result (the fake answers invalidQuery).
std::optional<ScriptedResult> builtin_result(std::string_view query);

}  // namespace bqb::fakes::bigquery
