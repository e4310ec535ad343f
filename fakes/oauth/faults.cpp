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
  BQB_TRY(delivery, parse_delivery_fault(j, where));
  BQB_TRY(status, jf::optional_int(j, "status", where));
  BQB_TRY(error, jf::optional_string(j, "error", where));
  BQB_TRY(description, jf::optional_string(j, "error_description", where));
  BQB_TRY(subtype, jf::optional_string(j, "error_subtype", where));
  BQB_TRY(grant_type, jf::optional_string(j, "grant_type", where));
  if (status && (*status < 100 || *status > 599)) {
    return fail(Errc::invalid_json,
                "field 'status' in " + std::string(where) + " must be an HTTP status (100-599)");
  }
  Fault f;
  f.error = error.value_or("");
  f.status = status ? static_cast<int>(*status) : (f.error.empty() ? 0 : status_for_error(f.error));
  if (f.status != 0 && f.error.empty()) f.error = default_error(f.status);
  f.description = description.value_or("");
  f.subtype = subtype.value_or("");
  f.grant_type = std::move(grant_type);
  f.delivery = std::move(delivery);
  // A raw body has no status of its own here (BigQuery's defaults to 200).
  if (f.delivery.body && f.status == 0) {
    return fail(Errc::invalid_json, "field 'body' in " + std::string(where) + " needs a 'status'");
  }
  if (!f.replaces_answer() && f.delivery.delay.count() == 0 && !f.delivery.cut) {
    return fail(Errc::invalid_json, std::string(where) +
                                        " does nothing: give status, error, delay_ms, hang, "
                                        "close or cut");
  }
  return f;
}

FakeResponse fault_response(const Fault& f) {
  FakeResponse r;
  if (f.delivery.body) {
    r.status = f.status;  // apply() below puts the raw body in, with the fault's status
  } else {
    // A hang or close without a status never sends this; keep it a valid answer regardless.
    const int status = f.status != 0 ? f.status : 503;
    OAuthError e{status, f.error.empty() ? "temporarily_unavailable" : f.error, f.description,
                 f.subtype};
    if (e.description.empty()) e.description = "Injected by the fake: " + e.error;
    r = oauth_error_response(e);
  }
  apply(f.delivery, r);
  return r;
}

std::optional<Fault> FaultQueue::take(std::string_view grant_type) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->grant_type && *it->grant_type != grant_type) continue;
    Fault f = *it;
    if (--it->delivery.count <= 0) queue_.erase(it);
    f.delivery.count = 1;
    return f;
  }
  return std::nullopt;
}

int FaultQueue::pending() const {
  int n = 0;
  for (const auto& f : queue_) n += f.delivery.count;
  return n;
}

}  // namespace bqb::fakes
