#include "daemon/oauth/client_secrets.h"

#include <fmt/format.h>
#include <boost/url/parse.hpp>

#include "proto/json_fields.h"

namespace bqb::oauth {
namespace {

namespace jf = json_fields;

constexpr std::string_view kDesktopHint =
    "create an OAuth client of type \"Desktop app\" in the Google Cloud console (APIs & Services "
    "> Credentials > Create credentials > OAuth client ID) and download its JSON";

Result<std::string> non_empty(const nlohmann::json& j, std::string_view name,
                              std::string_view where) {
  BQB_TRY(v, jf::required_string(j, name, where));
  if (v.empty()) {
    return fail(Errc::invalid_json, fmt::format("field '{}' in {} is empty", name, where));
  }
  return v;
}

}  // namespace

Status check_endpoint_uri(std::string_view uri, std::string_view field, std::string_view where) {
  auto u = boost::urls::parse_absolute_uri(uri);
  if (!u || (u->scheme() != "https" && u->scheme() != "http") || u->encoded_host().empty()) {
    return fail(Errc::bad_request,
                fmt::format("field '{}' in {} is not an absolute http(s) URL", field, where));
  }
  return {};
}

Result<ClientSecrets> parse_client_secrets(std::string_view text, std::string_view where) {
  BQB_TRY(doc, jf::parse(text, where));
  if (!doc.is_object()) {
    return fail(Errc::invalid_json, fmt::format("{} is not a JSON object", where),
                std::string(kDesktopHint));
  }
  if (!doc.contains("installed")) {
    if (doc.contains("web")) {
      return fail(Errc::bad_request,
                  fmt::format("{} is for a \"Web application\" OAuth client; bqbroker needs a "
                              "\"Desktop app\" client (its loopback redirect works on any port)",
                              where),
                  std::string(kDesktopHint));
    }
    return fail(Errc::invalid_json,
                fmt::format("field 'installed' in {} is missing: not a client_secrets.json of a "
                            "Desktop app OAuth client",
                            where),
                std::string(kDesktopHint));
  }
  const nlohmann::json& in = doc["installed"];
  std::string inner = fmt::format("{} (\"installed\")", where);
  if (!in.is_object()) {
    return fail(Errc::invalid_json,
                fmt::format("field 'installed' in {} must be an object", where));
  }
  ClientSecrets out;
  BQB_TRY(client_id, non_empty(in, "client_id", inner));
  BQB_TRY(client_secret, non_empty(in, "client_secret", inner));
  BQB_TRY(auth_uri, non_empty(in, "auth_uri", inner));
  BQB_TRY(token_uri, non_empty(in, "token_uri", inner));
  BQB_TRY(project_id, jf::optional_string(in, "project_id", inner));
  BQB_TRY(redirect_uris, jf::optional_string_list(in, "redirect_uris", inner));
  for (auto [field, uri] : {std::pair{"auth_uri", &auth_uri}, std::pair{"token_uri", &token_uri}}) {
    if (auto ok = check_endpoint_uri(*uri, field, inner); !ok) return tl::unexpected(ok.error());
  }
  out.client_id = std::move(client_id);
  out.client_secret = Secret(std::move(client_secret));
  out.auth_uri = std::move(auth_uri);
  out.token_uri = std::move(token_uri);
  if (project_id && !project_id->empty()) out.project_id = std::move(project_id);
  out.redirect_uris = std::move(redirect_uris);
  return out;
}

}  // namespace bqb::oauth
