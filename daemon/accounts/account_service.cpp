#include "daemon/accounts/account_service.h"

#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "daemon/accounts/account_registry.h"
#include "daemon/base/blocking.h"
#include "daemon/base/foreign_text.h"
#include "daemon/base/redact.h"
#include "daemon/net/http_client.h"
#include "daemon/oauth/scopes.h"
#include "daemon/oauth/token_exchange.h"
#include "daemon/oauth/tokeninfo.h"

namespace bqb {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

/// A mutex for coroutines on one executor: a channel with room for one value. lock() sends (and
/// waits while the value sent by the holder is still there); unlock() takes that value out, which
/// lets the next waiting sender in. Never blocks a thread.
class AsyncMutex {
 public:
  explicit AsyncMutex(asio::any_io_executor ex) : ch_(std::move(ex), 1) {}

  awaitable<void> lock() {
    co_await ch_.async_send(boost::system::error_code{}, asio::use_awaitable);
  }
  void unlock() {
    ch_.try_receive([](boost::system::error_code) {});
  }

 private:
  asio::experimental::channel<void(boost::system::error_code)> ch_;
};

/// Holds an AsyncMutex until destroyed, also when a coroutine ends by an exception.
class [[nodiscard]] LockGuard {
 public:
  explicit LockGuard(AsyncMutex& m) : m_(&m) {}
  LockGuard(LockGuard&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;
  LockGuard& operator=(LockGuard&&) = delete;
  ~LockGuard() {
    if (m_) m_->unlock();
  }

 private:
  AsyncMutex* m_;
};

std::chrono::sys_seconds now_seconds() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

struct AccountService::Impl : std::enable_shared_from_this<AccountService::Impl> {
  Impl(asio::any_io_executor io_ex, SecretStore& s, AccountRegistry& r, HttpClient& h,
       BlockingPool& b, AccountServiceOptions o)
      : io(io_ex), store(s), registry(r), http(h), blocking(b), options(std::move(o)), mu(io_ex) {}

  asio::any_io_executor io;
  SecretStore& store;
  AccountRegistry& registry;
  HttpClient& http;
  BlockingPool& blocking;
  AccountServiceOptions options;
  AsyncMutex mu;  // serialises every mutation of store + registry
  std::vector<std::function<void(const std::string&)>> removed_observers;
  std::vector<std::function<void(const Account&)>> stored_observers;
  std::vector<std::function<void(const std::string&)>> needs_login_observers;

  awaitable<LockGuard> acquire() {
    co_await mu.lock();
    co_return LockGuard(mu);
  }

  /// @returns the StoredCredentials under `key`, nullopt when the store has none.
  awaitable<Result<std::optional<StoredCredentials>>> read_credentials(SecretKey key) {
    auto get = [this, key] { return store.get(key); };
    auto got = co_await blocking.run(std::move(get));
    if (!got) co_return tl::unexpected(std::move(got).error());
    if (!*got) co_return std::optional<StoredCredentials>{};
    auto creds = stored_credentials_from_secret(
        **got, fmt::format("the {} store's record for {}", store.kind(), key.account));
    if (!creds) co_return tl::unexpected(std::move(creds).error());
    Redactor::global().remember(creds->refresh_token.reveal());
    Redactor::global().remember(creds->client_secret.reveal());
    co_return std::optional<StoredCredentials>(std::move(*creds));
  }

  awaitable<Result<Account>> add_login(NewLogin login);
  /// @returns the secret record `login` stores under `key`: its own refresh token, else the one
  /// already stored there; login_failed when there is neither.
  awaitable<Result<StoredCredentials>> login_credentials(const NewLogin& login, SecretKey key);
  /// @returns the account record of `login`, keeping added_at and unknown fields of the account
  /// already registered under its email.
  Account account_of(const NewLogin& login, std::vector<std::string> scopes) const;
  /// Removes the secret of `replaced`, the record `account` replaced, when it was another client's
  /// (a failure is only logged: the new login stands).
  awaitable<void> remove_replaced_client(const Account& replaced, const Account& account);
  awaitable<Result<LogoutResult>> logout(std::string email);
  awaitable<Result<Account>> import_adc(oauth::AuthorizedUser adc,
                                        std::optional<std::string> requested_token_uri);
  /// Revokes `token` at revoke_uri. @returns nullopt on success, else why it failed (no secret).
  awaitable<std::optional<std::string>> revoke(const Secret& token);
};

// --- add_login -----------------------------------------------------------------------------------

namespace {

/// Checks that `login` names an account and a client, tells the Redactor its secrets.
/// @returns the granted scopes in canonical form (empty when Google reported none).
Result<std::vector<std::string>> check_login(const NewLogin& login) {
  if (login.email.empty()) {
    return fail(Errc::login_failed, "the login carries no account email");
  }
  if (login.client.client_id.empty()) {
    return fail(Errc::login_failed, fmt::format("the login of {} names no client_id", login.email));
  }
  if (login.refresh_token) Redactor::global().remember(login.refresh_token->reveal());
  Redactor::global().remember(login.client.client_secret.reveal());
  if (login.granted_scopes.empty()) return std::vector<std::string>{};
  BQB_TRY(set, oauth::ScopeSet::from_list(login.granted_scopes,
                                          fmt::format("the scopes granted to {}", login.email)));
  return set.items();
}

}  // namespace

awaitable<Result<StoredCredentials>> AccountService::Impl::login_credentials(const NewLogin& login,
                                                                             SecretKey key) {
  StoredCredentials creds;
  creds.client_secret = login.client.client_secret;
  if (login.refresh_token && !login.refresh_token->empty()) {
    creds.refresh_token = *login.refresh_token;
    co_return creds;
  }
  // Google sends a refresh token on the first consent of a client and (with prompt=consent)
  // on every one; a response without it is usable only if we still hold the earlier one.
  auto stored = co_await read_credentials(key);
  if (!stored) co_return tl::unexpected(std::move(stored).error());
  if (!*stored) {
    co_return fail(Errc::login_failed,
                   fmt::format("Google sent no refresh_token for {} and none is stored for "
                               "client {}",
                               login.email, login.client.client_id),
                   "remove bqbroker's access at https://myaccount.google.com/permissions, "
                   "then run `bqbroker login` again");
  }
  creds.refresh_token = (*stored)->refresh_token;
  co_return creds;
}

Account AccountService::Impl::account_of(const NewLogin& login,
                                         std::vector<std::string> scopes) const {
  Account account;
  account.email = login.email;
  account.client_id = login.client.client_id;
  account.token_uri = login.client.token_uri;
  account.auth_uri = login.auth_uri;
  account.project_id = login.project_id;
  account.scopes = std::move(scopes);
  account.added_at = now_seconds();
  account.state = AccountState::ok;
  if (auto previous = registry.find(login.email)) {
    account.added_at = previous->added_at;  // when the account first came, not this login
    account.extra = previous->extra;
  }
  return account;
}

awaitable<void> AccountService::Impl::remove_replaced_client(const Account& replaced,
                                                             const Account& account) {
  if (replaced.client_id == account.client_id) co_return;
  // The account moved to another client; the old client's refresh token is unreachable now.
  SecretKey old = replaced.secret_key();
  auto remove_old = [this, old] { return store.remove(old); };
  auto removed = co_await blocking.run(std::move(remove_old));
  if (!removed) {
    spdlog::warn("account {}: the credentials of its previous client {} stay in the {} store: {}",
                 account.email, old.client_id, store.kind(), removed.error().message);
  }
}

awaitable<Result<Account>> AccountService::Impl::add_login(NewLogin login) {
  auto self = shared_from_this();
  auto scopes = check_login(login);
  if (!scopes) co_return tl::unexpected(std::move(scopes).error());

  auto guard = co_await acquire();
  const SecretKey key{login.email, login.client.client_id};
  auto creds = co_await login_credentials(login, key);
  if (!creds) co_return tl::unexpected(std::move(creds).error());

  // The secret first: if storing it fails, the registry still describes what the store holds.
  auto put_op = [this, key, secret = to_secret(*creds), label = credentials_label(login.email)] {
    return store.put(key, secret, label);
  };
  auto put = co_await blocking.run(std::move(put_op));
  if (!put) co_return tl::unexpected(std::move(put).error());

  Account account = account_of(login, std::move(*scopes));
  auto upsert = [this, account] { return registry.upsert(account); };
  auto replaced = co_await blocking.run(std::move(upsert));
  if (!replaced) co_return tl::unexpected(std::move(replaced).error());
  if (*replaced) co_await remove_replaced_client(**replaced, account);
  spdlog::info("account {} stored (client {}, {} store)", account.email, account.client_id,
               store.kind());
  for (const auto& observer : stored_observers) observer(account);
  co_return account;
}

// --- logout --------------------------------------------------------------------------------------

awaitable<std::optional<std::string>> AccountService::Impl::revoke(const Secret& token) {
  HttpRequest req;
  req.method = "POST";
  req.url = options.revoke_uri;
  // The token goes in the form body, never the URL query: URLs end up in logs and proxies.
  req.headers = {{"Content-Type", std::string(oauth::kFormContentType)}};
  req.body = oauth::form_urlencode({{"token", token.reveal()}});
  req.timeout = options.http_timeout;
  auto resp = co_await http.send(std::move(req));
  if (!resp) co_return Redactor::global().apply(resp.error().message);
  if (resp->status / 100 == 2) co_return std::nullopt;
  co_return fmt::format("{} answered HTTP {}: {}", options.revoke_uri, resp->status,
                        Redactor::global().apply(sanitize_foreign_text(resp->body)));
}

awaitable<Result<LogoutResult>> AccountService::Impl::logout(std::string email) {
  auto self = shared_from_this();
  auto guard = co_await acquire();
  auto account = registry.find(email);
  if (!account) {
    co_return fail(Errc::not_found, fmt::format("no account {} is logged in", email),
                   "`bqbroker accounts` lists the accounts");
  }
  const SecretKey key = account->secret_key();
  auto stored = co_await read_credentials(key);
  // Without the store we can neither revoke nor delete: keep the account so a retry can.
  if (!stored) co_return tl::unexpected(std::move(stored).error());

  LogoutResult result{email, false, std::nullopt};
  if (*stored) {
    result.revoke_error = co_await revoke((*stored)->refresh_token);
    result.revoked = !result.revoke_error;
  } else {
    result.revoke_error =
        fmt::format("no refresh token for {} was in the {} store", email, store.kind());
  }
  if (result.revoke_error) {
    spdlog::warn("logout of {}: revoking its refresh token failed ({}); deleting it locally anyway",
                 email, *result.revoke_error);
  }

  // The secret before the registry entry: should the second step fail (or the daemon die in
  // between), the account stays listed and needs a login, which is visible and repairable. The
  // other order could leave a refresh token in the keyring that no interface names any more.
  auto remove_secret = [this, key] { return store.remove(key); };
  auto removed = co_await blocking.run(std::move(remove_secret));
  if (!removed) {
    Error e = std::move(removed).error();
    e.message = fmt::format("logout of {}: {}{}", email,
                            result.revoked ? "the refresh token was revoked at Google, but " : "",
                            e.message);
    co_return tl::unexpected(std::move(e));
  }
  auto forget = [this, email] { return registry.remove(email); };
  auto forgotten = co_await blocking.run(std::move(forget));
  if (!forgotten) co_return tl::unexpected(std::move(forgotten).error());

  spdlog::info("account {} logged out (refresh token {})", email,
               result.revoked ? "revoked" : "deleted locally, not revoked");
  for (const auto& observer : removed_observers) observer(email);
  co_return result;
}

// --- import_adc ----------------------------------------------------------------------------------

awaitable<Result<Account>> AccountService::Impl::import_adc(
    oauth::AuthorizedUser adc, std::optional<std::string> requested_token_uri) {
  auto self = shared_from_this();
  if (requested_token_uri && *requested_token_uri != options.token_uri) {
    co_return fail(
        Errc::forbidden,
        fmt::format("an import may not choose its token endpoint: '{}' is not the "
                    "configured one ({})",
                    *requested_token_uri, options.token_uri),
        "drop token_uri from the request; only [oauth] token_uri in config.toml sets it");
  }
  adc.client.token_uri = options.token_uri;
  Redactor::global().remember(adc.refresh_token.reveal());
  Redactor::global().remember(adc.client.client_secret.reveal());
  const std::string& token_uri = adc.client.token_uri;

  HttpRequest req;
  req.method = "POST";
  req.url = token_uri;
  req.headers = {{"Content-Type", std::string(oauth::kFormContentType)}};
  req.body = oauth::refresh_body(adc.client, adc.refresh_token).reveal();
  req.timeout = options.http_timeout;
  auto resp = co_await http.send(std::move(req));
  if (!resp) co_return tl::unexpected(std::move(resp).error());
  auto token =
      oauth::parse_token_response(resp->status, resp->body, oauth::Grant::refresh_token, token_uri);
  if (!token) {
    Error e = std::move(token).error();
    if (e.code == Errc::needs_login) {
      // Nothing is logged in yet: a dead ADC token is a failed import, not an account state.
      co_return fail(Errc::login_failed, "the ADC file's refresh token was refused: " + e.message,
                     "run `gcloud auth application-default login` again, or `bqbroker login`");
    }
    co_return tl::unexpected(std::move(e));
  }
  Redactor::global().remember(token->access_token.reveal());
  if (token->refresh_token) Redactor::global().remember(token->refresh_token->reveal());

  auto info_url = oauth::tokeninfo_uri(token_uri);
  if (!info_url) co_return tl::unexpected(std::move(info_url).error());
  HttpRequest info_req;
  info_req.method = "GET";
  // Google's tokeninfo takes the access token in the query. The HTTP client never logs a query,
  // and this short-lived token is dropped right after.
  info_req.url = oauth::tokeninfo_request_url(*info_url, token->access_token);
  info_req.timeout = options.http_timeout;
  auto info_resp = co_await http.send(std::move(info_req));
  if (!info_resp) co_return tl::unexpected(std::move(info_resp).error());
  auto info = oauth::parse_tokeninfo(info_resp->status, info_resp->body, *info_url);
  if (!info) co_return tl::unexpected(std::move(info).error());

  NewLogin login;
  login.email = std::move(info->email);
  login.client = std::move(adc.client);
  login.project_id = std::move(adc.quota_project_id);
  login.granted_scopes = token->scopes ? token->scopes->items() : std::move(info->scopes);
  login.refresh_token =
      token->refresh_token ? std::move(*token->refresh_token) : std::move(adc.refresh_token);
  co_return co_await add_login(std::move(login));
}

// --- AccountService ------------------------------------------------------------------------------

AccountService::AccountService(asio::any_io_executor io, SecretStore& store,
                               AccountRegistry& registry, HttpClient& http, BlockingPool& blocking,
                               AccountServiceOptions options)
    : impl_(std::make_shared<Impl>(std::move(io), store, registry, http, blocking,
                                   std::move(options))) {}

AccountService::~AccountService() = default;

std::vector<Account> AccountService::list() const { return impl_->registry.list(); }

std::optional<std::string> AccountService::default_email() const {
  return impl_->registry.default_email();
}

std::optional<Account> AccountService::find(std::string_view email) const {
  return impl_->registry.find(email);
}

std::string_view AccountService::store_kind() const { return impl_->store.kind(); }

awaitable<Result<Account>> AccountService::add_login(NewLogin login) {
  return impl_->add_login(std::move(login));
}

awaitable<Result<Account>> AccountService::set_default(std::string email) {
  auto impl = impl_;
  auto guard = co_await impl->acquire();
  auto set = [impl, email] { return impl->registry.set_default(email); };
  auto st = co_await impl->blocking.run(std::move(set));
  if (!st) co_return tl::unexpected(std::move(st).error());
  auto account = impl->registry.find(email);
  if (!account) co_return fail(Errc::not_found, fmt::format("no account {} is logged in", email));
  co_return *account;
}

awaitable<Result<LogoutResult>> AccountService::logout(std::string email) {
  return impl_->logout(std::move(email));
}

awaitable<Result<Account>> AccountService::import_adc(
    oauth::AuthorizedUser adc, std::optional<std::string> requested_token_uri) {
  return impl_->import_adc(std::move(adc), std::move(requested_token_uri));
}

awaitable<Result<AccountCredentials>> AccountService::credentials(std::string email) {
  auto impl = impl_;
  auto account = impl->registry.find(email);
  if (!account) {
    co_return fail(Errc::not_found, fmt::format("no account {} is logged in", email),
                   "`bqbroker accounts` lists the accounts; `bqbroker login` adds one");
  }
  auto stored = co_await impl->read_credentials(account->secret_key());
  if (!stored) co_return tl::unexpected(std::move(stored).error());
  if (!*stored) {
    co_return fail(Errc::needs_login,
                   fmt::format("no credentials for {} (client {}) in the {} store", email,
                               account->client_id, impl->store.kind()),
                   "run `bqbroker login`");
  }
  AccountCredentials out;
  out.client = oauth::OAuthClient{account->client_id, (*stored)->client_secret, account->token_uri};
  out.refresh_token = std::move((*stored)->refresh_token);
  out.account = std::move(*account);
  co_return out;
}

awaitable<Status> AccountService::mark_needs_login(std::string email, std::string reason) {
  auto impl = impl_;
  auto guard = co_await impl->acquire();
  auto mark = [impl, email, reason] {
    return impl->registry.set_state(email, AccountState::needs_login, reason, now_seconds());
  };
  auto marked = co_await impl->blocking.run(std::move(mark));
  if (marked || marked.error().code != Errc::not_found) {
    for (const auto& observer : impl->needs_login_observers) observer(email);
  }
  co_return marked;
}

void AccountService::on_account_removed(std::function<void(const std::string&)> observer) {
  impl_->removed_observers.push_back(std::move(observer));
}

void AccountService::on_account_stored(std::function<void(const Account&)> observer) {
  impl_->stored_observers.push_back(std::move(observer));
}

void AccountService::on_needs_login(std::function<void(const std::string&)> observer) {
  impl_->needs_login_observers.push_back(std::move(observer));
}

}  // namespace bqb
