// FakeGoogle's interactive consent: the authorization endpoint keeps the validated request under
// an opaque id and shows the page (consent_page.h); the page's form post answers it once, with
// the same redirect the automatic modes give.

#include <algorithm>

#include "fakes/oauth/consent_page.h"
#include "fakes/oauth/crypto.h"
#include "fakes/oauth/fake_google.h"

namespace bqb::fakes {
namespace {

FakeResponse html_response(int status, std::string body) {
  FakeResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  // A consent page is per request: never cached, never framed.
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  return r;
}

}  // namespace

std::vector<std::string> FakeGoogle::consent_accounts() const {
  return consent_.accounts.empty() ? std::vector<std::string>{consent_.email} : consent_.accounts;
}

FakeResponse FakeGoogle::show_consent_page(AuthorizeRequest r, Clock::time_point now) {
  std::erase_if(pending_, [&](const auto& p) { return p.second.expires_at <= now; });
  std::vector<std::string> accounts = consent_accounts();
  // A login_hint Google knows preselects that account: put it first.
  auto hinted = std::find(accounts.begin(), accounts.end(), r.login_hint);
  if (hinted != accounts.end()) std::rotate(accounts.begin(), hinted, hinted + 1);
  const std::string id = random_urlsafe(24);
  ConsentPage page{id, r.client_id, std::move(accounts), r.scopes};
  pending_.emplace(id, PendingConsent{std::move(r), now + settings_.code_lifetime});
  return html_response(200, render_consent_page(page));
}

FakeResponse FakeGoogle::consent_form(const FakeRequest& req, Clock::time_point now) {
  if (!is_form_content_type(req.content_type)) {
    return html_response(400, render_consent_error("The consent form must be posted as "
                                                   "application/x-www-form-urlencoded."));
  }
  auto form = parse_params(req.body, "the consent form");
  if (!form) return html_response(400, render_consent_error(form.error().description));
  auto it = pending_.find(param(*form, "pending"));
  if (it == pending_.end() || it->second.expires_at <= now) {
    return html_response(400, render_consent_error("This sign-in request is unknown, expired or "
                                                   "already answered. Start the sign-in again."));
  }
  const std::string_view decision = param(*form, "decision");
  if (decision != "allow" && decision != "deny") {
    return html_response(400, render_consent_error("The answer must be Allow or Deny."));
  }
  std::string account(param(*form, "account"));
  const auto accounts = consent_accounts();
  if (decision == "allow" &&
      std::find(accounts.begin(), accounts.end(), account) == accounts.end()) {
    return html_response(400, render_consent_error("Choose one of the listed accounts."));
  }
  const AuthorizeRequest request = std::move(it->second.request);
  pending_.erase(it);
  return complete_authorization(request, decision == "allow", std::move(account), now);
}

}  // namespace bqb::fakes
