#include "fakes/oauth/faults.h"

#include "proto/json_fields.h"

namespace bqb::fakes {
namespace {

std::string default_error(int status) {
  if (status == 429) return "rate_limit_exceeded";
  if (status == 503) return "temporarily_unavailable";
  if (status >= 500) return "internal_failure";
  if (status == 401) return "invalid_client";
  return "invalid_request";
}

}  // namespace

int status_for_error(std::string_view error) {
  if (error == "invalid_client" || error == "unauthorized_client") return 401;
  if (error == "temporarily_unavailable") return 503;
  if (error == "server_error" || error == "internal_failure") return 500;
  if (error == "rate_limit_exceeded") return 429;
  return 400;
}

Result<Fault> parse_fault(const nlohmann::json& j, std::string_view where) {
  namespace jf = json_fields;
  if (!j.is_object()) return fail(Errc::invalid_json, std::string(where) + " must be an object");
  Fault f;
  BQB_TRY(status, jf::optional_int(j, "status", where));
  BQB_TRY(error, jf::optional_string(j, "error", where));
  BQB_TRY(description, jf::optional_string(j, "error_description", where));
  BQB_TRY(subtype, jf::optional_string(j, "error_subtype", where));
  BQB_TRY(body, jf::optional_string(j, "body", where));
  BQB_TRY(delay, jf::optional_int(j, "delay_ms", where));
  BQB_TRY(hang, jf::optional_bool(j, "hang", where));
  BQB_TRY(close, jf::optional_bool(j, "close", where));
  BQB_TRY(cut, jf::optional_bool(j, "cut", where));
  BQB_TRY(retry_after, jf::optional_int(j, "retry_after", where));
  BQB_TRY(grant_type, jf::optional_string(j, "grant_type", where));
  BQB_TRY(count, jf::optional_int(j, "count", where));
  if (status && (*status < 100 || *status > 599)) {
    return fail(Errc::invalid_json,
                "field 'status' in " + std::string(where) + " must be an HTTP status (100-599)");
  }
  if (delay && (*delay < 0 || *delay > 600000)) {
    return fail(Errc::invalid_json,
                "field 'delay_ms' in " + std::string(where) + " must be 0..600000");
  }
  if (count && (*count < 1 || *count > 1000000)) {
    return fail(Errc::invalid_json, "field 'count' in " + std::string(where) + " must be >= 1");
  }
  f.error = error.value_or("");
  f.status = status ? static_cast<int>(*status) : (f.error.empty() ? 0 : status_for_error(f.error));
  if (f.status != 0 && f.error.empty()) f.error = default_error(f.status);
  f.description = description.value_or("");
  f.subtype = subtype.value_or("");
  f.body = std::move(body);
  f.delay = std::chrono::milliseconds(delay.value_or(0));
  f.hang = hang.value_or(false);
  f.close = close.value_or(false);
  f.cut = cut.value_or(false);
  f.retry_after = retry_after;
  f.grant_type = std::move(grant_type);
  f.remaining = static_cast<int>(count.value_or(1));
  if (f.body && f.status == 0) {
    return fail(Errc::invalid_json, "field 'body' in " + std::string(where) + " needs a 'status'");
  }
  if (!f.replaces_answer() && f.delay.count() == 0 && !f.cut) {
    return fail(Errc::invalid_json, std::string(where) +
                                        " does nothing: give status, error, delay_ms, hang, "
                                        "close or cut");
  }
  return f;
}

FakeResponse fault_response(const Fault& f) {
  FakeResponse r;
  if (f.body) {
    r.status = f.status;
    r.body = *f.body;
    r.content_type = "text/html; charset=UTF-8";
  } else {
    // A hang or close without a status never sends this; keep it a valid answer regardless.
    const int status = f.status != 0 ? f.status : 503;
    OAuthError e{status, f.error.empty() ? "temporarily_unavailable" : f.error, f.description,
                 f.subtype};
    if (e.description.empty()) e.description = "Injected by the fake: " + e.error;
    r = oauth_error_response(e);
  }
  if (f.retry_after) r.headers.emplace_back("Retry-After", std::to_string(*f.retry_after));
  r.delay = f.hang ? kHang : f.delay;
  r.close_without_answer = f.close;
  r.cut_mid_body = f.cut;
  return r;
}

std::optional<Fault> FaultQueue::take(std::string_view grant_type) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->grant_type && *it->grant_type != grant_type) continue;
    Fault f = *it;
    if (--it->remaining <= 0) queue_.erase(it);
    f.remaining = 1;
    return f;
  }
  return std::nullopt;
}

int FaultQueue::pending() const {
  int n = 0;
  for (const auto& f : queue_) n += f.remaining;
  return n;
}

}  // namespace bqb::fakes
