#include "daemon/tokens/token_service.h"

#include <map>
#include <random>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/accounts/account_directory.h"
#include "daemon/base/spawn_logged.h"
#include "daemon/base/token_fingerprint.h"
#include "daemon/net/retry_loop.h"
#include "daemon/tokens/token_policy.h"
#include "daemon/tokens/token_refresh.h"

namespace bqb {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// One refresh in progress for a key. Waiters wait on `done`, which never expires by itself: the
/// refresh cancels it when `result` is set, which wakes every waiter at once.
struct Flight {
  explicit Flight(const asio::any_io_executor& ex)
      : done(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer done;
  std::optional<Result<CachedToken>> result;
};

std::string scopes_text(const oauth::ScopeSet& scopes) {
  std::string out;
  for (const auto& s : scopes.items()) {
    if (!out.empty()) out += ',';
    out += oauth::short_scope_name(s);
  }
  return out;
}

std::string caller_text(const TokenCaller& c) {
  return fmt::format("pid={} uid={} exe={} via={}", c.pid ? std::to_string(*c.pid) : "?", c.uid,
                     c.executable.empty() ? "?" : c.executable, c.via);
}

}  // namespace

struct TokenService::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, AccountDirectory& a, HttpClient& h, TokenServiceOptions o)
      : io(std::move(ex)),
        accounts(a),
        http(h),
        options(std::move(o)),
        cache(options.refresh_margin, options.clock),
        policy(options.background_retry_pause) {
    if (!options.random) {
      auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
      options.random = [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
    }
  }

  asio::any_io_executor io;
  AccountDirectory& accounts;
  HttpClient& http;
  TokenServiceOptions options;
  TokenCache cache;
  TokenPolicy policy;
  std::map<TokenKey, std::shared_ptr<Flight>> flights;

  /// @returns the key `request` asks for, or why it cannot have a token. No I/O.
  Result<TokenPlan> plan(const TokenRequest& request) const {
    std::optional<std::string> email = request.account ? request.account : accounts.default_email();
    std::optional<Account> account;
    if (email) account = accounts.find(*email);
    return policy.plan(email, account, request.scopes);
  }

  void forget_account(const std::string& email) {
    cache.drop_account(email);
    policy.forget_account(email);
  }

  /// @returns the flight for `plan`'s key, starting one when none runs.
  std::shared_ptr<Flight> join_or_start(const TokenPlan& plan) {
    if (auto it = flights.find(plan.key); it != flights.end()) return it->second;
    auto flight = std::make_shared<Flight>(io);
    flights.emplace(plan.key, flight);
    spawn_logged(io,
                 run_flight(shared_from_this(), plan, flight, policy.generation(plan.key.account)),
                 "a token refresh");
    return flight;
  }

  /// Starts a background refresh of `plan`'s key unless one runs or a failed one asked for a pause.
  void refresh_in_background(const TokenPlan& plan) {
    if (flights.contains(plan.key)) return;
    if (!policy.may_refresh_in_background(plan.key, cache.now())) return;
    spdlog::debug("token for {} [{}] is inside the refresh margin; refreshing in the background",
                  plan.key.account, scopes_text(plan.key.scopes));
    join_or_start(plan);
  }

  static awaitable<void> run_flight(std::shared_ptr<Impl> self, TokenPlan plan,
                                    std::shared_ptr<Flight> flight, std::uint64_t generation) {
    Result<CachedToken> result = fail(Errc::internal, "the token refresh did not complete");
    try {
      result = co_await self->refresh_with_retries(plan);
    } catch (const std::exception& e) {
      spdlog::error("token refresh for {} failed unexpectedly: {}", plan.key.account, e.what());
      result = fail(Errc::internal, fmt::format("the token refresh failed: {}", e.what()));
    }
    self->finish_flight(plan, *flight, std::move(result), generation);
  }

  void finish_flight(const TokenPlan& plan, Flight& flight, Result<CachedToken> result,
                     std::uint64_t started_generation) {
    const std::string& email = plan.key.account;
    if (auto it = flights.find(plan.key); it != flights.end() && it->second.get() == &flight) {
      flights.erase(it);
    }
    if (!policy.is_current(email, started_generation)) {
      // Logged out or logged in again meanwhile: this token belongs to credentials that are gone.
      if (!accounts.find(email)) {
        result =
            fail(Errc::not_found,
                 fmt::format("account {} was logged out while its token was refreshed", email));
      }
    } else if (result) {
      cache.store(plan.key, *result);
      policy.refresh_succeeded(plan.key);
    } else {
      policy.refresh_failed(plan.key, result.error(), cache.now());
    }
    flight.result = std::move(result);
    flight.done.cancel();
  }

  awaitable<Result<CachedToken>> refresh_with_retries(const TokenPlan& plan) {
    std::string email = plan.key.account;
    auto credentials = co_await accounts.credentials(email);
    if (!credentials) co_return tl::unexpected(credentials.error());

    RetryOptions retry;
    retry.policy = options.backoff;
    retry.random = options.random;
    retry.on_retry = [&email](int attempt, std::chrono::milliseconds delay) {
      spdlog::info("token refresh for {} failed; retry {} in {} ms", email, attempt, delay.count());
    };
    std::string refused_reason;
    auto step = [&]() -> awaitable<RetryStep<CachedToken, Error>> {
      const auto sent_at = cache.now();
      RefreshOutcome o = co_await refresh_access_token(
          http, *credentials, plan.key.scopes, plan.narrower, options.http_timeout, sent_at);
      if (!o.token)
        spdlog::debug("token refresh for {} failed: {}", email, o.token.error().message);
      refused_reason = std::move(o.reason);
      co_return RetryStep<CachedToken, Error>{std::move(o.token), o.action, o.retry_after};
    };
    auto outcome = co_await retry_loop<CachedToken, Error>(retry, step);
    if (outcome.last.result) {
      spdlog::debug("refreshed the token of {} [{}]", email, scopes_text(plan.key.scopes));
      co_return std::move(*outcome.last.result);
    }
    const Error error = outcome.last.result.error();
    if (outcome.last.action == RetryAction::relogin) {
      co_return co_await refused(email, refused_reason, error);
    }
    if (!outcome.exhausted) {
      spdlog::warn("token refresh for {} failed: {}", email, error.message);
      co_return tl::unexpected(error);
    }
    spdlog::warn("token refresh for {} failed after {} attempt(s): {}", email, outcome.attempts,
                 error.message);
    co_return tl::unexpected(Error{
        error.code, fmt::format("{} (gave up after {} attempts)", error.message, outcome.attempts),
        error.hint});
  }

  /// The token endpoint refused `email`'s refresh token: remember it, mark the account, drop its
  /// tokens. @returns the needs_login error callers get.
  awaitable<Result<CachedToken>> refused(std::string email, std::string reason, Error error) {
    spdlog::warn("account {} needs a new login: {}", email, error.message);
    Error e = policy.refuse(email, reason);
    cache.drop_account(email);
    auto marked = co_await accounts.mark_needs_login(email, reason);
    if (!marked) {
      spdlog::warn("could not record that account {} needs a new login: {}", email,
                   marked.error().message);
    }
    co_return tl::unexpected(std::move(e));
  }

  IssuedToken hand_out(const TokenPlan& plan, const CachedToken& token, const TokenCaller& caller) {
    const auto left =
        std::chrono::duration_cast<std::chrono::seconds>(token.expires_at - cache.now());
    spdlog::info("token handed out: account={} scopes={} token=sha256:{} expires_in={}s {}",
                 plan.key.account, scopes_text(token.scopes), token_fingerprint(token.access_token),
                 left.count(), caller_text(caller));
    return IssuedToken{token.access_token, plan.key.account, token.scopes, token.expires_at};
  }
};

TokenService::TokenService(asio::any_io_executor io, AccountDirectory& accounts, HttpClient& http,
                           TokenServiceOptions options)
    : impl_(std::make_shared<Impl>(std::move(io), accounts, http, std::move(options))) {
  std::weak_ptr<Impl> weak = impl_;
  accounts.on_account_removed([weak](const std::string& email) {
    if (auto impl = weak.lock()) impl->forget_account(email);
  });
  accounts.on_account_stored([weak](const Account& account) {
    if (auto impl = weak.lock()) impl->forget_account(account.email);
  });
}

TokenService::~TokenService() = default;

awaitable<Result<IssuedToken>> TokenService::token(TokenRequest request) {
  auto impl = impl_;
  auto plan = impl->plan(request);
  if (!plan) {
    spdlog::info("token refused: {} ({}) {}", to_string(plan.error().code), plan.error().message,
                 caller_text(request.caller));
    co_return tl::unexpected(plan.error());
  }
  auto lookup = impl->cache.lookup(plan->key, request.min_valid);
  const bool refused =
      request.refused_token && lookup.token && lookup.token->access_token == *request.refused_token;
  if (lookup.decision != CacheDecision::refresh_now && !refused) {
    if (lookup.decision == CacheDecision::hand_out_and_refresh) impl->refresh_in_background(*plan);
    co_return impl->hand_out(*plan, *lookup.token, request.caller);
  }

  auto flight = impl->join_or_start(*plan);
  if (!flight->result) co_await flight->done.async_wait(kTuple);
  if (!flight->result) co_return fail(Errc::internal, "the token refresh ended without a result");
  const Result<CachedToken>& result = *flight->result;
  if (!result) co_return tl::unexpected(result.error());
  const auto left = result->expires_at - impl->cache.now();
  if (left < request.min_valid) {
    co_return fail(
        Errc::upstream_error,
        fmt::format("the token endpoint issued a token for {} valid for {} s, less than the {} s "
                    "min_valid asks for",
                    plan->key.account,
                    std::chrono::duration_cast<std::chrono::seconds>(left).count(),
                    request.min_valid.count()),
        "ask for a smaller min_valid");
  }
  co_return impl->hand_out(*plan, *result, request.caller);
}

AccountTokenState TokenService::account_state(std::string_view email) const {
  AccountTokenState out;
  out.token_expires_at = impl_->cache.latest_expiry(email);
  auto note = impl_->policy.error_note(email);
  out.last_error = std::move(note.last_error);
  out.last_error_at = note.last_error_at;
  return out;
}

}  // namespace bqb
