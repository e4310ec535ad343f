#include "daemon/server/http_types.h"
#include "proto/json_text.h"

#include <nlohmann/json.hpp>

#include "proto/api.h"
#include "proto/json_fields.h"

namespace bqb::http {

Response json_response(int status, const nlohmann::json& body) {
  Response res{static_cast<beast_http::status>(status), 11};
  res.set(beast_http::field::content_type, "application/json");
  res.set(beast_http::field::cache_control, "no-store");
  res.body() = json_text(body);
  res.body().push_back('\n');
  res.prepare_payload();
  return res;
}

Response error_response(const Error& e) {
  return json_response(http_status(e.code), api::error_body(e));
}

Result<nlohmann::json> json_body(const RequestContext& ctx) {
  const auto& body = ctx.request.body();
  if (body.empty())
    return fail(Errc::invalid_json, "the request body is empty; expected a JSON object");
  BQB_TRY(j, json_fields::parse(body, "the request body"));
  if (!j.is_object()) return fail(Errc::invalid_json, "the request body must be a JSON object");
  return j;
}

Result<nlohmann::json> optional_json_body(const RequestContext& ctx) {
  if (ctx.request.body().empty()) return nlohmann::json::object();
  return json_body(ctx);
}

}  // namespace bqb::http
