#include "daemon/tokens/token_policy.h"

#include <utility>

#include <fmt/format.h>

namespace bqb {

Error needs_login_error(const std::string& email, std::string_view reason) {
  return Error{Errc::needs_login,
               reason.empty() ? fmt::format("account {} needs a new login", email)
                              : fmt::format("account {} needs a new login: {}", email, reason),
               fmt::format("run `bqbroker login` to sign in as {} again", email)};
}

TokenPolicy::TokenPolicy(std::chrono::seconds background_retry_pause)
    : background_retry_pause_(background_retry_pause) {}

Result<TokenPlan> TokenPolicy::plan(const std::optional<std::string>& email,
                                    const std::optional<Account>& account,
                                    const std::optional<oauth::ScopeSet>& wanted) const {
  if (!email) return fail(Errc::needs_login, "no account is logged in", "run `bqbroker login`");
  if (!account) {
    return fail(Errc::not_found, fmt::format("no account {} is logged in", *email),
                "`bqbroker accounts` lists the accounts; `bqbroker login` adds one");
  }
  // The remembered refusal first: the registry may not have recorded it.
  if (auto it = notes_.find(*email); it != notes_.end() && it->second.refused) {
    return tl::unexpected(*it->second.refused);
  }
  if (account->state == AccountState::needs_login) {
    return tl::unexpected(needs_login_error(*email, account->state_reason));
  }
  BQB_TRY(granted, oauth::ScopeSet::from_list(
                       account->scopes, fmt::format("the granted scopes of account {}", *email)));
  oauth::ScopeSet scopes = wanted && !wanted->empty() ? *wanted : granted;
  if (auto granted_ok = oauth::require_granted(scopes, granted, *email); !granted_ok) {
    return tl::unexpected(granted_ok.error());
  }
  const bool narrower = scopes != granted;
  return TokenPlan{TokenKey{*email, std::move(scopes)}, narrower};
}

bool TokenPolicy::may_refresh_in_background(const TokenKey& key, TimePoint now) const {
  auto it = background_paused_until_.find(key);
  return it == background_paused_until_.end() || now >= it->second;
}

std::uint64_t TokenPolicy::generation(std::string_view email) const {
  auto it = generations_.find(email);
  return it == generations_.end() ? 0 : it->second;
}

bool TokenPolicy::is_current(std::string_view email, std::uint64_t started) const {
  return generation(email) == started;
}

void TokenPolicy::refresh_succeeded(const TokenKey& key) {
  background_paused_until_.erase(key);
  if (auto it = notes_.find(key.account); it != notes_.end()) it->second.errors.last_error.reset();
}

void TokenPolicy::refresh_failed(const TokenKey& key, const Error& error, TimePoint now) {
  auto& errors = notes_[key.account].errors;
  errors.last_error = error;
  errors.last_error_at = now;
  background_paused_until_[key] = now + background_retry_pause_;
}

Error TokenPolicy::refuse(const std::string& email, std::string_view reason) {
  Error e = needs_login_error(email, reason);
  notes_[email].refused = e;
  return e;
}

void TokenPolicy::forget_account(const std::string& email) {
  notes_.erase(email);
  std::erase_if(background_paused_until_,
                [&email](const auto& kv) { return kv.first.account == email; });
  ++generations_[email];
}

TokenErrorNote TokenPolicy::error_note(std::string_view email) const {
  auto it = notes_.find(email);
  return it == notes_.end() ? TokenErrorNote{} : it->second.errors;
}

}  // namespace bqb
