#include "daemon/oauth/token_exchange.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/base/ascii.h"
#include "daemon/base/foreign_text.h"
#include "proto/json_fields.h"

namespace bqb::oauth {
namespace {

namespace jf = json_fields;
using nlohmann::json;

std::string string_field(const json& j, std::string_view name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string clean_description(std::string_view text) { return sanitize_foreign_text(text); }

bool is_transient_status(int status) { return status == 408 || status == 429 || status >= 500; }

Error upstream(std::string message) { return Error{Errc::upstream_error, std::move(message), {}}; }

// json_fields reports invalid_json (a caller's fault); a bad answer from the token endpoint is
// upstream's.
Error as_upstream(Error e) {
  e.code = Errc::upstream_error;
  return e;
}

std::string grant_name(Grant g) {
  return g == Grant::authorization_code ? "authorization code" : "refresh token";
}

Result<TokenResponse> parse_success(const json& doc, std::string_view where) {
  std::string src = fmt::format("the response from {}", where);
  auto wrap = [](Error e) { return tl::unexpected(as_upstream(std::move(e))); };
  TokenResponse out;
  auto access = jf::required_string(doc, "access_token", src);
  if (!access) return wrap(access.error());
  if (access->empty()) {
    return tl::unexpected(upstream(fmt::format("field 'access_token' in {} is empty", src)));
  }
  out.access_token = Secret(std::move(*access));

  auto expires = jf::required_int(doc, "expires_in", src);
  if (!expires) return wrap(expires.error());
  if (*expires <= 0 || *expires > kMaxExpiresIn.count()) {
    return tl::unexpected(upstream(fmt::format(
        "field 'expires_in' in {} is out of range (1 to {} seconds)", src, kMaxExpiresIn.count())));
  }
  out.expires_in = std::chrono::seconds(*expires);

  auto type = jf::optional_string(doc, "token_type", src);
  if (!type) return wrap(type.error());
  if (*type) {
    if (!ascii_iequals(**type, "bearer")) {
      return tl::unexpected(upstream(fmt::format("field 'token_type' in {} is not Bearer", src)));
    }
  }

  for (auto [name, slot] :
       {std::pair{"refresh_token", &out.refresh_token}, std::pair{"id_token", &out.id_token}}) {
    auto v = jf::optional_string(doc, name, src);
    if (!v) return wrap(v.error());
    if (*v && !(*v)->empty()) *slot = Secret(std::move(**v));
  }

  auto scope = jf::optional_string(doc, "scope", src);
  if (!scope) return wrap(scope.error());
  if (*scope) {
    auto set = ScopeSet::parse_space_separated(**scope, fmt::format("field 'scope' in {}", src));
    if (!set) return wrap(set.error());
    out.scopes = std::move(*set);
  }
  return out;
}

}  // namespace

Secret authorization_code_body(const OAuthClient& client, const Secret& code,
                               std::string_view redirect_uri, const Secret& code_verifier) {
  return Secret(form_urlencode({
      {"grant_type", "authorization_code"},
      {"code", code.reveal()},
      {"client_id", client.client_id},
      {"client_secret", client.client_secret.reveal()},
      {"redirect_uri", redirect_uri},
      {"code_verifier", code_verifier.reveal()},
  }));
}

Secret refresh_body(const OAuthClient& client, const Secret& refresh_token,
                    const ScopeSet* scopes) {
  FormFields fields{
      {"grant_type", "refresh_token"},
      {"refresh_token", refresh_token.reveal()},
      {"client_id", client.client_id},
      {"client_secret", client.client_secret.reveal()},
  };
  std::string scope;
  if (scopes != nullptr && !scopes->empty()) {
    scope = scopes->space_separated();
    fields.emplace_back("scope", scope);
  }
  return Secret(form_urlencode(fields));
}

TokenError classify_token_error(int http_status, std::string_view body) {
  TokenError e;
  e.http_status = http_status;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    auto it = doc.find("error");
    if (it != doc.end() && it->is_object()) {
      // Google's API-style envelope {"error": {"code", "message", "status"}}.
      e.error = string_field(*it, "status");
      e.description = clean_description(string_field(*it, "message"));
    } else {
      e.error = clean_description(string_field(doc, "error"));
      e.subtype = clean_description(string_field(doc, "error_subtype"));
      e.description = clean_description(string_field(doc, "error_description"));
    }
  }
  if (e.error == "invalid_grant") {
    e.kind = TokenErrorKind::permanent;
    e.reason = e.subtype == "invalid_rapt" || e.subtype == "rapt_required"
                   ? "re-authentication required"
                   : "revoked or expired";
  } else if (e.error == "invalid_client") {
    e.kind = TokenErrorKind::permanent;
    e.reason = "client deleted or secret wrong";
  } else if (e.error == "unauthorized_client") {
    e.kind = TokenErrorKind::permanent;
    e.reason = "token belongs to another client";
  } else if (e.error == "temporarily_unavailable" || e.error == "server_error" ||
             e.error == "internal_failure" || is_transient_status(http_status)) {
    e.kind = TokenErrorKind::transient;
    e.reason = "temporarily unavailable";
  } else {
    e.kind = TokenErrorKind::request;
    e.reason = "request rejected";
  }
  return e;
}

Error token_error_to_error(const TokenError& e, Grant grant, std::string_view where) {
  std::string detail = e.error.empty() ? fmt::format("HTTP {}", e.http_status)
                                       : fmt::format("HTTP {}, {}", e.http_status, e.error);
  if (!e.subtype.empty()) detail += fmt::format("/{}", e.subtype);
  if (!e.description.empty()) detail += fmt::format(": {}", e.description);

  switch (e.kind) {
    case TokenErrorKind::permanent:
      if (grant == Grant::refresh_token) {
        return Error{Errc::needs_login,
                     fmt::format("{} refused the refresh token: {} ({})", where, e.reason, detail),
                     "run `bqbroker login` to sign in again"};
      }
      return Error{Errc::login_failed,
                   fmt::format("{} refused the authorization code: {} ({})", where,
                               e.error == "invalid_grant"
                                   ? "code expired, already used, or PKCE/redirect_uri mismatch"
                                   : e.reason,
                               detail),
                   e.error == "invalid_grant" ? "run `bqbroker login` again"
                                              : "check the client_secrets.json of the login"};
    case TokenErrorKind::transient:
      return Error{Errc::upstream_unavailable,
                   fmt::format("{} is {} ({})", where, e.reason, detail), ""};
    case TokenErrorKind::request:
      break;
  }
  return Error{Errc::upstream_error,
               fmt::format("{} rejected the {} request ({})", where, grant_name(grant), detail),
               ""};
}

Result<TokenResponse> parse_token_response(int http_status, std::string_view body, Grant grant,
                                           std::string_view where) {
  bool ok_status = http_status >= 200 && http_status < 300;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!ok_status || (doc.is_object() && doc.contains("error"))) {
    return tl::unexpected(
        token_error_to_error(classify_token_error(http_status, body), grant, where));
  }
  if (!doc.is_object()) {
    return tl::unexpected(
        upstream(fmt::format("the response from {} is not a JSON object", where)));
  }
  return parse_success(doc, where);
}

}  // namespace bqb::oauth
