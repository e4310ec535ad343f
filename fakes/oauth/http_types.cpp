#include "fakes/oauth/http_types.h"

namespace bqb::fakes {

FakeResponse json_response(int status, const nlohmann::json& body) {
  FakeResponse r;
  r.status = status;
  r.body = body.dump();
  r.headers.emplace_back("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

FakeResponse oauth_error_response(const OAuthError& e) {
  nlohmann::json body = {{"error", e.error}, {"error_description", e.description}};
  if (!e.subtype.empty()) body["error_subtype"] = e.subtype;
  return json_response(e.status, body);
}

std::string_view header_value(const FakeRequest& req, std::string_view lower_name) {
  for (const auto& [name, value] : req.headers) {
    if (name == lower_name) return value;
  }
  return {};
}

}  // namespace bqb::fakes
