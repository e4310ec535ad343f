#pragma once
// How an injected fault delivers an answer: late, never (held or dropped), cut short, with a
// Retry-After header or a raw body. The token endpoint's faults (faults.h) and BigQuery's scripted
// faults (fakes/bigquery/script.h) share these fields of the control API, parsed and applied here
// once; what the answer says (an OAuth error, an ErrorProto) and its status stay each fake's own.
// It lives beside FakeResponse (http_types.h), whose delivery fields it sets.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fakes/oauth/http_types.h"
#include "proto/error.h"

namespace bqb::fakes {

struct DeliveryFault {
  std::chrono::milliseconds delay{0};       // the answer waits this long
  bool hang = false;                        // hold the answer for kHang (overrides delay)
  bool close = false;                       // drop the connection without answering
  bool cut = false;                         // send the headers and half the body, then drop it
  std::optional<std::int64_t> retry_after;  // Retry-After header, in seconds
  std::optional<std::string> body;          // a raw text/html body instead of the fake's own
  int count = 1;  // how many requests it applies to (each fake's queue counts it down)
};

/// @returns the delivery fields of the fault object `j`: {"delay_ms"? (0..600000), "hang"?,
/// "close"?, "cut"?, "retry_after"?, "body"?, "count"? (1..1000000)}; the other fields are the
/// caller's. invalid_json naming the field and `where` for a wrong type or value, or when `j` is
/// not an object. A raw body's status is not parsed here: its rules differ between the fakes.
Result<DeliveryFault> parse_delivery_fault(const nlohmann::json& j, std::string_view where);

/// Applies `f` to the answer `r` the fake built for the fault: the raw body (keeping r's status),
/// Retry-After, delay (kHang for a hang), close and cut.
void apply(const DeliveryFault& f, FakeResponse& r);

}  // namespace bqb::fakes
