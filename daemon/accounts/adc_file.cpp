#include "daemon/accounts/adc_file.h"

#include <fmt/format.h>

#include "proto/json_fields.h"

namespace bqb::oauth {
namespace {

namespace jf = json_fields;

Result<std::string> non_empty(const nlohmann::json& j, std::string_view name,
                              std::string_view where) {
  BQB_TRY(v, jf::required_string(j, name, where));
  if (v.empty()) {
    return fail(Errc::invalid_json, fmt::format("field '{}' in {} is empty", name, where));
  }
  return v;
}

// @returns `type` when it looks like a credential type name, else a description: the field is
// echoed in an error message and must not carry arbitrary (possibly secret) text there.
std::string shown_type(const std::string& type) {
  bool name_like = !type.empty() && type.size() <= 40 &&
                   type.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
  return name_like ? fmt::format("'{}'", type) : std::string("an unknown type");
}

}  // namespace

Result<AuthorizedUser> parse_adc_file(std::string_view text, std::string_view where) {
  BQB_TRY(doc, jf::parse(text, where));
  if (!doc.is_object()) {
    return fail(Errc::invalid_json, fmt::format("{} is not a JSON object", where));
  }
  BQB_TRY(type, jf::required_string(doc, "type", where));
  if (type != "authorized_user") {
    return fail(Errc::bad_request,
                fmt::format("{} holds credentials of type {}; only 'authorized_user' (a "
                            "person's login) can be imported",
                            where, shown_type(type)),
                "create one with `gcloud auth application-default login`, or log in directly "
                "with `bqbroker login`");
  }
  AuthorizedUser out;
  BQB_TRY(client_id, non_empty(doc, "client_id", where));
  BQB_TRY(client_secret, non_empty(doc, "client_secret", where));
  BQB_TRY(refresh_token, non_empty(doc, "refresh_token", where));
  BQB_TRY(quota_project_id, jf::optional_string(doc, "quota_project_id", where));
  out.client.client_id = std::move(client_id);
  out.client.client_secret = Secret(std::move(client_secret));
  out.client.token_uri = std::string(kGoogleTokenUri);
  out.refresh_token = Secret(std::move(refresh_token));
  if (quota_project_id && !quota_project_id->empty())
    out.quota_project_id = std::move(quota_project_id);
  return out;
}

}  // namespace bqb::oauth
