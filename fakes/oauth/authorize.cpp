#include "fakes/oauth/authorize.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "fakes/oauth/pkce.h"

namespace bqb::fakes {

bool is_loopback_redirect(std::string_view uri) {
  auto u = boost::urls::parse_absolute_uri(uri);
  if (!u || u->scheme() != "http" || u->has_fragment() || u->has_userinfo()) return false;
  const std::string host(u->encoded_host());  // "[::1]" keeps its brackets here
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost";
}

OAuthResult<AuthorizeRequest> validate_authorize(const Params& params,
                                                 const ClientRegistry& clients) {
  const auto client_id = param(params, "client_id");
  if (client_id.empty())
    return oauth_fail(400, "invalid_request", "Missing required parameter: client_id");
  const Client* client = clients.find(client_id);
  if (client == nullptr)
    return oauth_fail(401, "invalid_client", "The OAuth client was not found.");

  const auto redirect_uri = param(params, "redirect_uri");
  if (redirect_uri.empty()) {
    return oauth_fail(400, "invalid_request", "Missing required parameter: redirect_uri");
  }
  if (!is_loopback_redirect(redirect_uri)) {
    return oauth_fail(400, "redirect_uri_mismatch",
                      "redirect_uri must be http://127.0.0.1, http://[::1] or http://localhost "
                      "with any port and no fragment for a Desktop client");
  }

  const auto response_type = param(params, "response_type");
  if (response_type.empty()) {
    return oauth_fail(400, "invalid_request", "Missing required parameter: response_type");
  }
  if (response_type != "code") {
    return oauth_fail(400, "unsupported_response_type",
                      "Invalid response_type: " + std::string(response_type));
  }

  const auto scope_text = param(params, "scope");
  ScopeList scopes = parse_scopes(scope_text);
  if (scopes.empty())
    return oauth_fail(400, "invalid_request", "Missing required parameter: scope");
  for (const auto& s : scopes) {
    if (!is_known_scope(s)) {
      return oauth_fail(400, "invalid_scope",
                        "Some requested scopes were invalid. {invalid=[" + s + "]}");
    }
  }

  const auto state = param(params, "state");
  if (state.empty()) {
    return oauth_fail(400, "invalid_request",
                      "Missing parameter: state (the fake requires it; the broker must send one)");
  }

  const auto challenge = param(params, "code_challenge");
  const auto method = param(params, "code_challenge_method");
  if (challenge.empty()) {
    return oauth_fail(400, "invalid_request",
                      "Missing parameter: code_challenge (the fake requires PKCE)");
  }
  if (method != "S256") {
    return oauth_fail(400, "invalid_request",
                      "code_challenge_method must be S256, got '" + std::string(method) + "'");
  }
  if (!is_pkce_string(challenge)) {
    return oauth_fail(400, "invalid_request",
                      "Invalid code_challenge: not 43-128 unreserved characters");
  }

  const auto access_type = param(params, "access_type");
  if (!access_type.empty() && access_type != "online" && access_type != "offline") {
    return oauth_fail(400, "invalid_request", "Invalid access_type: " + std::string(access_type));
  }

  AuthorizeRequest r;
  r.client_id = std::string(client_id);
  r.redirect_uri = std::string(redirect_uri);
  r.scopes = std::move(scopes);
  r.state = std::string(state);
  r.code_challenge = std::string(challenge);
  r.offline = access_type == "offline";
  r.prompt_consent = param(params, "prompt").find("consent") != std::string_view::npos;
  r.login_hint = std::string(param(params, "login_hint"));
  return r;
}

std::string redirect_with(std::string_view redirect_uri,
                          const std::vector<std::pair<std::string, std::string>>& params) {
  boost::urls::url u(redirect_uri);  // validated by is_loopback_redirect before
  for (const auto& [k, v] : params) u.params().append({k, v});
  return std::string(u.buffer());
}

}  // namespace bqb::fakes
