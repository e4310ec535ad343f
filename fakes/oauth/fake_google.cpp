#include "fakes/oauth/fake_google.h"

#include "fakes/oauth/id_token.h"
#include "fakes/oauth/scopes.h"

namespace bqb::fakes {
namespace {

FakeResponse not_found(std::string_view path) {
  return oauth_error_response({404, "not_found", "No endpoint at " + std::string(path), {}});
}

FakeResponse method_not_allowed(std::string_view method, std::string_view path) {
  FakeResponse r =
      oauth_error_response({405,
                            "invalid_request",
                            std::string(method) + " is not allowed on " + std::string(path),
                            {}});
  return r;
}

}  // namespace

FakeGoogle::FakeGoogle(std::string base_url) : base_url_(std::move(base_url)) {}

FakeResponse FakeGoogle::handle(const FakeRequest& req, Clock::time_point real_now) {
  const Clock::time_point now = shifted(real_now);
  auto target = split_target(req.target);
  if (!target) return oauth_error_response(target.error());
  const std::string& path = target->path;

  if (path.starts_with("/_fake/")) return control(req, *target, now);

  if (path == "/o/oauth2/v2/auth" || path == "/o/oauth2/auth") {
    if (req.method != "GET") return method_not_allowed(req.method, path);
    auto query = parse_params(target->query, "the authorization request's query");
    if (!query) return oauth_error_response(query.error());
    return authorize(*query, now);
  }
  if (path == "/o/oauth2/consent") {
    if (req.method != "POST") return method_not_allowed(req.method, path);
    return consent_form(req, now);
  }
  if (path == "/token" || path == "/o/oauth2/token") {
    if (req.method != "POST") return method_not_allowed(req.method, path);
    return token(req, *target, now);
  }
  if (path == "/revoke" || path == "/o/oauth2/revoke") {
    if (req.method != "POST") return method_not_allowed(req.method, path);
    return revoke(req, *target);
  }
  if (path == "/tokeninfo" || path == "/oauth2/v3/tokeninfo") {
    if (req.method != "GET") return method_not_allowed(req.method, path);
    auto query = parse_params(target->query, "the tokeninfo query");
    if (!query) return oauth_error_response(query.error());
    return tokeninfo(*query, now);
  }
  return not_found(path);
}

FakeResponse FakeGoogle::authorize(const Params& query, Clock::time_point now) {
  log_.record_authorize(query);
  auto r = validate_authorize(query, clients_);
  if (!r) return oauth_error_response(r.error());
  if (consent_.kind == ConsentMode::Kind::interactive) return show_consent_page(std::move(*r), now);
  if (consent_.kind == ConsentMode::Kind::deny) return complete_authorization(*r, false, {}, now);
  std::string email =
      consent_.use_login_hint && !r->login_hint.empty() ? r->login_hint : consent_.email;
  return complete_authorization(*r, true, std::move(email), now);
}

FakeResponse FakeGoogle::complete_authorization(const AuthorizeRequest& r, bool allow,
                                                std::string email, Clock::time_point now) {
  FakeResponse out;
  out.status = 302;
  out.content_type = "text/html; charset=UTF-8";
  std::string location;
  if (!allow) {
    location = redirect_with(r.redirect_uri, {{"error", "access_denied"}, {"state", r.state}});
  } else {
    // Google issues a refresh token for offline access on first consent, or when consent is
    // prompted again; a repeated login without prompt=consent gets none.
    const bool refresh = r.offline && !settings_.omit_refresh_token &&
                         (r.prompt_consent || !grants_.has_live_grant(r.client_id, email));
    AuthorizationCode c{r.client_id,
                        r.redirect_uri,
                        r.code_challenge,
                        email,
                        r.scopes,
                        refresh,
                        now + settings_.code_lifetime,
                        false};
    const std::string code = grants_.add_code(std::move(c));
    location = redirect_with(r.redirect_uri, {{"state", r.state},
                                              {"code", code},
                                              {"scope", join_scopes(r.scopes)},
                                              {"authuser", "0"},
                                              {"prompt", "consent"}});
  }
  out.headers.emplace_back("Location", location);
  out.body = "<html><body>Moved</body></html>";
  return out;
}

FakeResponse FakeGoogle::revoke(const FakeRequest& req, const Target& target) {
  log_.count("revoke");
  auto query = parse_params(target.query, "the revoke request's query");
  if (!query) return oauth_error_response(query.error());
  std::string token(param(*query, "token"));
  if (token.empty() && !req.body.empty()) {
    if (!is_form_content_type(req.content_type)) {
      return oauth_error_response(
          {400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded", {}});
    }
    auto form = parse_params(req.body, "the revoke request's body");
    if (!form) return oauth_error_response(form.error());
    token = std::string(param(*form, "token"));
  }
  if (token.empty()) {
    return oauth_error_response({400, "invalid_request", "Missing required parameter: token", {}});
  }
  if (!grants_.revoke(token)) {
    return oauth_error_response({400, "invalid_token", "Token expired or revoked", {}});
  }
  return json_response(200, nlohmann::json::object());
}

const AccessGrant* FakeGoogle::live_access_token(std::string_view access_token,
                                                 Clock::time_point real_now) const {
  const AccessGrant* a = grants_.find_access(access_token);
  const bool live = a != nullptr && !a->revoked && a->expires_at > shifted(real_now);
  return live ? a : nullptr;
}

FakeResponse FakeGoogle::tokeninfo(const Params& query, Clock::time_point now) {
  log_.count("tokeninfo");
  const AccessGrant* a = grants_.find_access(param(query, "access_token"));
  if (a == nullptr || a->revoked || a->expires_at <= now) {
    return oauth_error_response({400, "invalid_token", "Invalid Value", {}});
  }
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(a->expires_at - now).count();
  const auto exp =
      std::chrono::duration_cast<std::chrono::seconds>(a->expires_at.time_since_epoch()).count();
  return json_response(200, {{"azp", a->client_id},
                             {"aud", a->client_id},
                             {"sub", subject_for(a->email)},
                             {"scope", join_scopes(a->scopes)},
                             {"exp", std::to_string(exp)},
                             {"expires_in", std::to_string(left)},
                             {"email", a->email},
                             {"email_verified", "true"},
                             {"access_type", a->refresh_token.empty() ? "online" : "offline"}});
}

}  // namespace bqb::fakes
