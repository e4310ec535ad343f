#include "fakes/oauth/delivery_fault.h"

#include "proto/json_fields.h"

namespace bqb::fakes {

Result<DeliveryFault> parse_delivery_fault(const nlohmann::json& j, std::string_view where) {
  namespace jf = json_fields;
  if (!j.is_object()) return fail(Errc::invalid_json, std::string(where) + " must be an object");
  BQB_TRY(delay, jf::optional_int(j, "delay_ms", where));
  BQB_TRY(hang, jf::optional_bool(j, "hang", where));
  BQB_TRY(close, jf::optional_bool(j, "close", where));
  BQB_TRY(cut, jf::optional_bool(j, "cut", where));
  BQB_TRY(retry_after, jf::optional_int(j, "retry_after", where));
  BQB_TRY(body, jf::optional_string(j, "body", where));
  BQB_TRY(count, jf::optional_int(j, "count", where));
  // Bounded so that a typo cannot hold a test's connection for days or queue a fault forever.
  if (delay && (*delay < 0 || *delay > 600000)) {
    return fail(Errc::invalid_json,
                "field 'delay_ms' in " + std::string(where) + " must be 0..600000");
  }
  if (count && (*count < 1 || *count > 1000000)) {
    return fail(Errc::invalid_json,
                "field 'count' in " + std::string(where) + " must be 1..1000000");
  }
  DeliveryFault f;
  f.delay = std::chrono::milliseconds(delay.value_or(0));
  f.hang = hang.value_or(false);
  f.close = close.value_or(false);
  f.cut = cut.value_or(false);
  f.retry_after = retry_after;
  f.body = std::move(body);
  f.count = static_cast<int>(count.value_or(1));
  return f;
}

void apply(const DeliveryFault& f, FakeResponse& r) {
  if (f.body) {
    r.body = *f.body;
    r.content_type = "text/html; charset=UTF-8";
  }
  if (f.retry_after) r.headers.emplace_back("Retry-After", std::to_string(*f.retry_after));
  r.delay = f.hang ? kHang : f.delay;
  r.close_without_answer = f.close;
  r.cut_mid_body = f.cut;
}

}  // namespace bqb::fakes
