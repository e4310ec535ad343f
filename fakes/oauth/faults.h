#pragma once
// Fault injection for the token endpoint: a queue of answers that the next token requests get
// instead of the normal processing (or before it, for a pure delay).

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fakes/oauth/delivery_fault.h"
#include "fakes/oauth/http_types.h"
#include "proto/error.h"

namespace bqb::fakes {

struct Fault {
  int status = 0;           // 0: no error answer (a pure delay), else this HTTP status
  std::string error;        // OAuth error code for the body; default from the status
  std::string description;  // error_description
  std::string subtype;      // error_subtype, e.g. "invalid_rapt"
  std::optional<std::string> grant_type;  // applies only to requests with this grant_type
  // delay, hang, close, cut, retry_after, a raw body (e.g. an HTML 502; needs a status here),
  // count: how many requests it applies to.
  DeliveryFault delivery;

  /// @returns whether the request is answered by the fault rather than processed.
  bool replaces_answer() const { return status != 0 || delivery.close || delivery.hang; }
};

/// @returns the fault described by `j`: {"status"?, "error"?, "error_description"?,
/// "error_subtype"?, "body"?, "delay_ms"?, "hang"?, "close"?, "cut"?, "retry_after"?,
/// "grant_type"?, "count"?}. "delay_ms" or "cut" alone applies to the normally processed answer.
/// "error" alone takes Google's status for it (invalid_client → 401, …). The delivery fields are
/// parse_delivery_fault()'s; unlike BigQuery's, a "body" here needs a status (or an error). A
/// fault that would do nothing, or a field of the wrong type, is invalid_json naming the field.
Result<Fault> parse_fault(const nlohmann::json& j, std::string_view where);

/// @returns the answer `f` stands for (when it replaces_answer()), its delay applied.
FakeResponse fault_response(const Fault& f);

/// @returns Google's HTTP status for an OAuth error code (400 for codes it does not know).
int status_for_error(std::string_view error);

class FaultQueue {
 public:
  void push(Fault f) { queue_.push_back(std::move(f)); }
  void clear() { queue_.clear(); }
  /// Takes one use of the first queued fault that applies to `grant_type`.
  /// @returns that fault, or nullopt when none applies.
  std::optional<Fault> take(std::string_view grant_type);
  /// @returns how many requests the queued faults will still answer.
  int pending() const;

 private:
  std::deque<Fault> queue_;
};

}  // namespace bqb::fakes
