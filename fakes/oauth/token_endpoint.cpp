// The token endpoint of FakeGoogle: client authentication, the authorization_code and
// refresh_token grants, and the answers Google gives for each failure.

#include <openssl/crypto.h>

#include "fakes/oauth/fake_google.h"
#include "fakes/oauth/id_token.h"
#include "fakes/oauth/pkce.h"

namespace bqb::fakes {
namespace {

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

/// @returns the registered client the form authenticates as, or invalid_client (401).
OAuthResult<const Client*> authenticate(const Params& form, const ClientRegistry& clients) {
  const auto id = param(form, "client_id");
  if (id.empty()) {
    return oauth_fail(401, "invalid_client", "Missing required parameter: client_id");
  }
  const Client* c = clients.find(id);
  if (c == nullptr) return oauth_fail(401, "invalid_client", "The OAuth client was not found.");
  if (!same_secret(param(form, "client_secret"), c->client_secret.reveal())) {
    return oauth_fail(401, "invalid_client", "Unauthorized");
  }
  return c;
}

}  // namespace

FakeResponse FakeGoogle::token(const FakeRequest& req, const Target& target,
                               Clock::time_point now) {
  // Parsed before anything else so that even a faulted request is logged with its fields.
  const bool form_type = is_form_content_type(req.content_type);
  auto form = form_type ? parse_params(req.body, "the token request body") : OAuthResult<Params>();
  const std::string grant_type(form ? param(*form, "grant_type") : std::string_view());
  const nlohmann::json masked = form ? mask_form(*form) : nlohmann::json::object();

  std::optional<Fault> fault = faults_.take(grant_type);
  if (fault && fault->replaces_answer()) {
    FakeResponse r = fault_response(*fault);
    log_.record_token(grant_type, masked, r.status, fault->error, true);
    return r;
  }

  auto answer = [&]() -> OAuthResult<nlohmann::json> {
    if (!target.query.empty()) {
      return oauth_fail(400, "invalid_request",
                        "parameters must be in the form body, not the query string");
    }
    if (!form_type) {
      return oauth_fail(
          400, "invalid_request",
          "Content-Type must be application/x-www-form-urlencoded, got '" + req.content_type + "'");
    }
    if (!form) return tl::unexpected(form.error());
    auto client = authenticate(*form, clients_);
    if (!client) return tl::unexpected(client.error());
    if (grant_type == "authorization_code") return exchange_code(*form, **client, now);
    if (grant_type == "refresh_token") return refresh(*form, **client, now);
    if (grant_type.empty()) {
      return oauth_fail(400, "invalid_request", "Missing required parameter: grant_type");
    }
    return oauth_fail(400, "unsupported_grant_type", "Invalid grant_type: " + grant_type);
  }();

  FakeResponse r = answer ? json_response(200, *answer) : oauth_error_response(answer.error());
  // A pure delay or cut: processed now, answered later or only in part (then counted as faulted).
  log_.record_token(grant_type, masked, r.status, answer ? "" : answer.error().error,
                    fault && fault->delivery.cut);
  if (fault) {
    // Not apply(): hang, close and a body would have replaced the answer, and a processed
    // answer gets no Retry-After.
    r.delay = fault->delivery.delay;
    r.cut_mid_body = fault->delivery.cut;
  }
  return r;
}

OAuthResult<nlohmann::json> FakeGoogle::exchange_code(const Params& form, const Client& client,
                                                      Clock::time_point now) {
  const auto code_text = param(form, "code");
  if (code_text.empty())
    return oauth_fail(400, "invalid_request", "Missing required parameter: code");
  AuthorizationCode* code = grants_.find_code(code_text);
  if (code == nullptr) return oauth_fail(400, "invalid_grant", "Malformed auth code.");
  if (code->client_id != client.client_id) {
    return oauth_fail(400, "invalid_grant", "The code was issued to another client.");
  }
  // A code is spent by its first exchange attempt, whatever the outcome: a second try with a
  // corrected verifier or redirect_uri fails too.
  const bool reused = code->used;
  code->used = true;
  if (reused) return oauth_fail(400, "invalid_grant", "Bad Request (code already used)");
  if (code->expires_at <= now)
    return oauth_fail(400, "invalid_grant", "Bad Request (code expired)");

  const auto redirect_uri = param(form, "redirect_uri");
  if (redirect_uri.empty()) {
    return oauth_fail(400, "invalid_request", "Missing parameter: redirect_uri");
  }
  if (redirect_uri != code->redirect_uri) {
    return oauth_fail(400, "redirect_uri_mismatch",
                      "Bad Request (redirect_uri differs from the authorization request's)");
  }
  const auto verifier = param(form, "code_verifier");
  if (verifier.empty()) return oauth_fail(400, "invalid_grant", "Missing code verifier.");
  if (!verify_s256(verifier, code->code_challenge)) {
    return oauth_fail(400, "invalid_grant", "Invalid code verifier.");
  }

  std::string refresh_token;
  if (code->issue_refresh_token) {
    refresh_token = grants_.issue_refresh(client.client_id, code->email, code->scopes, now);
  }
  nlohmann::json out = access_token_answer(client.client_id, code->email, code->scopes,
                                           "authorization_code", refresh_token, now);
  if (!refresh_token.empty()) out["refresh_token"] = refresh_token;
  return out;
}

OAuthResult<nlohmann::json> FakeGoogle::refresh(const Params& form, const Client& client,
                                                Clock::time_point now) {
  const auto token = param(form, "refresh_token");
  if (token.empty()) {
    return oauth_fail(400, "invalid_request", "Missing required parameter: refresh_token");
  }
  const RefreshGrant* g = grants_.find_refresh(token);
  if (g == nullptr || g->revoked || g->expired) {
    return oauth_fail(400, "invalid_grant", "Token has been expired or revoked.");
  }
  if (g->client_id != client.client_id)
    return oauth_fail(401, "unauthorized_client", "Unauthorized");

  ScopeList scopes = g->scopes;
  if (const auto asked = param(form, "scope"); !asked.empty()) {
    ScopeList wanted = parse_scopes(asked);
    ScopeList missing = missing_scopes(wanted, g->scopes);
    if (!missing.empty()) {
      return oauth_fail(
          400, "invalid_scope",
          "Some requested scopes were invalid. {invalid=[" + join_scopes(missing) + "]}");
    }
    scopes = std::move(wanted);
  }
  return access_token_answer(client.client_id, g->email, scopes, "refresh_token",
                             std::string(token), now);
}

nlohmann::json FakeGoogle::access_token_answer(const std::string& client_id,
                                               const std::string& email, const ScopeList& scopes,
                                               const std::string& grant_type,
                                               const std::string& refresh_token,
                                               Clock::time_point now) {
  const std::string access =
      grants_.issue_access(AccessGrant{client_id, email, scopes, grant_type, refresh_token,
                                       now + std::chrono::seconds(settings_.expires_in), false});
  nlohmann::json out = {
      {"access_token", access}, {"scope", join_scopes(scopes)}, {"token_type", "Bearer"}};
  if (settings_.expires_in_as_string) {
    out["expires_in"] = std::to_string(settings_.expires_in);
  } else {
    out["expires_in"] = settings_.expires_in;
  }
  if (has_scope(scopes, "openid") || has_scope(scopes, "email")) {
    out["id_token"] = make_id_token(client_id, email, now);
  }
  return out;
}

}  // namespace bqb::fakes
