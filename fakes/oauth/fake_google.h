#pragma once
// The fake Google authorization server: all its state and every endpoint, as a pure function of
// (request, now). No sockets here: fakes/server/ serves it over HTTP, unit tests call
// handle() directly. Not thread-safe: the server calls it from one thread.
//
// Endpoints (Google's paths):
//   GET  /o/oauth2/v2/auth, /o/oauth2/auth   authorization (decided by the consent mode, or a
//                                            consent page in interactive mode: consent_page.h)
//   POST /o/oauth2/consent                   the consent page's form (interactive mode)
//   POST /token, /o/oauth2/token             authorization_code and refresh_token grants
//   POST /revoke, /o/oauth2/revoke           token in the query or the form body
//   GET  /tokeninfo, /oauth2/v3/tokeninfo    ?access_token=
//   /_fake/…                                 the control API (control_api.cpp)

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fakes/oauth/authorize.h"
#include "fakes/oauth/clients.h"
#include "fakes/oauth/faults.h"
#include "fakes/oauth/grant_store.h"
#include "fakes/oauth/http_types.h"
#include "fakes/oauth/request_log.h"

namespace bqb::fakes {

/// How the "user" answers the consent screen: automatically (allow, deny), or by a person at the
/// consent page (interactive), whose form post then completes the authorization.
struct ConsentMode {
  enum class Kind { allow, deny, interactive };
  Kind kind = Kind::allow;
  std::string email = "user@example.com";  // the account that consents (allow)
  bool use_login_hint = false;             // consent as the login_hint's account when one is given
  std::vector<std::string> accounts;       // the page's account picker; empty: {email}
};

struct Settings {
  std::int64_t expires_in = 3599;
  bool expires_in_as_string = false;  // Google has been seen sending "3599"
  bool omit_refresh_token = false;    // never issue a refresh token on the code exchange
  std::chrono::seconds code_lifetime{600};
};

class FakeGoogle {
 public:
  /// `base_url` is where the fake is reached ("http://127.0.0.1:PORT"), for client_secrets.json.
  explicit FakeGoogle(std::string base_url);

  /// @returns the answer to `req`. `now` is the wall clock; the control API can shift it.
  /// Never throws on bad input: every malformed request gets a 4xx answer.
  FakeResponse handle(const FakeRequest& req, Clock::time_point now);

  /// Issues a code for an already validated request and @returns the redirect carrying it (or
  /// carrying error=access_denied when `allow` is false) — the consent screen's outcome.
  FakeResponse complete_authorization(const AuthorizeRequest& r, bool allow, std::string email,
                                      Clock::time_point now);

  /// @returns the grant of `access_token` when it is live (issued, unrevoked, unexpired at
  /// `real_now`, shifted like handle()'s), else nullptr: for fakes of Google APIs that accept
  /// these tokens (the emulator's BigQuery).
  const AccessGrant* live_access_token(std::string_view access_token,
                                       Clock::time_point real_now) const;

  ClientRegistry& clients() { return clients_; }
  Settings& settings() { return settings_; }
  ConsentMode& consent() { return consent_; }
  const std::string& base_url() const { return base_url_; }

 private:
  FakeResponse authorize(const Params& query, Clock::time_point now);
  // consent_flow.cpp: the interactive consent page and its form post.
  FakeResponse show_consent_page(AuthorizeRequest r, Clock::time_point now);
  FakeResponse consent_form(const FakeRequest& req, Clock::time_point now);
  std::vector<std::string> consent_accounts() const;
  FakeResponse token(const FakeRequest& req, const Target& target, Clock::time_point now);
  FakeResponse revoke(const FakeRequest& req, const Target& target);
  FakeResponse tokeninfo(const Params& query, Clock::time_point now);
  Clock::time_point shifted(Clock::time_point real_now) const { return real_now + clock_offset_; }
  // control_api.cpp: /_fake/, dispatched by path to one function per resource.
  struct ControlCall;
  FakeResponse control(const FakeRequest& req, const Target& target, Clock::time_point now);
  FakeResponse control_stats(const ControlCall& c);
  FakeResponse control_consent(const ControlCall& c);
  FakeResponse control_settings(const ControlCall& c);
  FakeResponse control_faults(const ControlCall& c);
  FakeResponse control_grants(const ControlCall& c, Clock::time_point now);
  FakeResponse control_clients(const ControlCall& c);
  FakeResponse control_client(const ControlCall& c);

  // token_endpoint.cpp
  OAuthResult<nlohmann::json> exchange_code(const Params& form, const Client& client,
                                            Clock::time_point now);
  OAuthResult<nlohmann::json> refresh(const Params& form, const Client& client,
                                      Clock::time_point now);
  nlohmann::json access_token_answer(const std::string& client_id, const std::string& email,
                                     const ScopeList& scopes, const std::string& grant_type,
                                     const std::string& refresh_token, Clock::time_point now);

  std::string base_url_;
  ClientRegistry clients_;
  GrantStore grants_;
  FaultQueue faults_;
  RequestLog log_;
  Settings settings_;
  ConsentMode consent_;
  std::chrono::seconds clock_offset_{0};
  /// Authorizations waiting for the consent page's answer, by opaque random id; each answered
  /// once, and forgotten after the code lifetime.
  struct PendingConsent {
    AuthorizeRequest request;
    Clock::time_point expires_at;
  };
  std::map<std::string, PendingConsent, std::less<>> pending_;
};

}  // namespace bqb::fakes
