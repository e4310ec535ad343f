#pragma once
// The account service: the one owner of logged-in accounts. It keeps each account's secrets
// (refresh token, client secret) in the SecretStore and its non-secret metadata in the
// AccountRegistry, and keeps the two consistent across errors and crashes:
// - a secret is stored before the registry names it (a crash in between leaves an unreferenced
//   secret that the next login overwrites, never an account without its token);
// - on logout the secret is deleted before the registry forgets the account (a crash in between
//   leaves an account whose credentials() says needs_login, which a new login repairs; the other
//   order could leave a refresh token in the keyring that no interface can reach or revoke).
// Mutations (login, logout, import, default, state) are serialised; reads of the metadata are
// immediate. Blocking store and file calls run on a BlockingPool, never on the io thread.
//
// Used by the login flow (add_login), the account endpoints (list, set_default, logout,
// import_adc) and, through the AccountDirectory interface, the token service.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "daemon/accounts/account.h"
#include "daemon/accounts/account_directory.h"
#include "daemon/accounts/adc_file.h"
#include "daemon/accounts/secret_store.h"
#include "daemon/oauth/oauth_client.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb {

class AccountRegistry;
class BlockingPool;
class HttpClient;

/// A finished login, as the login flow hands it over.
struct NewLogin {
  std::string email;
  oauth::OAuthClient client;  // id, secret, token_uri
  std::optional<std::string> auth_uri;
  std::optional<std::string> project_id;
  std::vector<std::string> granted_scopes;  // as Google reported them
  /// Absent when Google sent none (it may omit it on a repeated consent): then the one stored for
  /// (email, client id) is kept.
  std::optional<Secret> refresh_token;
};

/// The outcome of a logout. The account is forgotten locally whatever the revoke did.
struct LogoutResult {
  std::string email;
  bool revoked = false;
  /// Why the revoke failed (no secret in it); nullopt when it succeeded.
  std::optional<std::string> revoke_error;
};

struct AccountServiceOptions {
  /// `[oauth] revoke_uri`: where logout revokes the refresh token.
  std::string revoke_uri = "https://oauth2.googleapis.com/revoke";
  /// `[oauth] token_uri`: the token endpoint of imported accounts.
  std::string token_uri = "https://oauth2.googleapis.com/token";
  /// Bound on each outbound request (revoke, import's refresh and tokeninfo).
  std::chrono::milliseconds http_timeout{std::chrono::seconds(20)};
};

class AccountService final : public AccountDirectory {
 public:
  /// Everything must outlive the service; all coroutines run on `io` (the daemon's io thread).
  AccountService(boost::asio::any_io_executor io, SecretStore& store, AccountRegistry& registry,
                 HttpClient& http, BlockingPool& blocking, AccountServiceOptions options);
  ~AccountService() override;
  AccountService(const AccountService&) = delete;
  AccountService& operator=(const AccountService&) = delete;

  // --- Reads (metadata only; immediate, no store access) ---

  /// @returns all accounts, in the order they were added.
  std::vector<Account> list() const;
  /// @returns the default account's email; nullopt exactly when there are no accounts.
  std::optional<std::string> default_email() const override;
  /// @returns the account with `email`, or nullopt.
  std::optional<Account> find(std::string_view email) const override;
  /// @returns the active store's kind ("secret-service", "file", "memory").
  std::string_view store_kind() const;

  // --- Mutations ---

  /// Stores a finished login: the refresh token and client secret in the store, then the metadata
  /// in the registry (state ok, which clears needs_login at once). No refresh_token: succeeds only
  /// if one is stored for (email, client_id), else login_failed. The first account becomes the
  /// default. A previous login of the same email with another client is replaced and its secret
  /// removed. @returns the stored account; store_unavailable (with the store's hint) or io_error
  /// with nothing lost.
  boost::asio::awaitable<Result<Account>> add_login(NewLogin login);

  /// Makes `email` the default. @returns the account; not_found for an unknown email.
  boost::asio::awaitable<Result<Account>> set_default(std::string email);

  /// Logs `email` out: revokes its refresh token at revoke_uri (a failed revoke is reported in the
  /// result, not as an error), deletes the secret from the store, forgets the account, and tells
  /// the on_account_removed observers. @returns not_found for an unknown email; store_unavailable
  /// when the secret cannot be deleted (the account is then kept, so the user can retry).
  boost::asio::awaitable<Result<LogoutResult>> logout(std::string email);

  /// Imports the refresh token of a gcloud ADC `authorized_user` file: one refresh grant at the
  /// configured token_uri (options) checks it, tokeninfo (same origin, path /tokeninfo) names
  /// the account's email and scopes, then it is stored like add_login. The ADC's
  /// quota_project_id becomes the account's project. `requested_token_uri` is what the request
  /// named, if anything: forbidden unless it is the configured one, so that no caller can point
  /// the account's refresh traffic elsewhere. @returns the account; login_failed when Google
  /// refuses the token.
  boost::asio::awaitable<Result<Account>> import_adc(
      oauth::AuthorizedUser adc, std::optional<std::string> requested_token_uri = std::nullopt);

  // --- For the token service (AccountDirectory) ---

  /// @returns what a refresh of `email` needs, read from the store; not_found for an unknown
  /// account; needs_login when the store holds no credentials for it; store_unavailable.
  boost::asio::awaitable<Result<AccountCredentials>> credentials(std::string email) override;

  /// Puts `email` into needs_login with `reason` (Google refused its refresh token). A new
  /// add_login clears it. @returns not_found or io_error.
  boost::asio::awaitable<Status> mark_needs_login(std::string email, std::string reason) override;

  /// Registers `observer`, called on the io thread after an account was logged out (the token
  /// service drops its cached access tokens there). Register before serving requests.
  void on_account_removed(std::function<void(const std::string& email)> observer) override;
  /// Registers `observer`, called on the io thread after a login or import stored new credentials
  /// for an account (the token service drops cached tokens and a remembered needs_login).
  void on_account_stored(std::function<void(const Account& account)> observer) override;
  /// Registers `observer`, called on the io thread after mark_needs_login put a known account
  /// into needs_login (also when only the registry's write failed: Google refused it all the
  /// same). Register before serving requests.
  void on_needs_login(std::function<void(const std::string& email)> observer);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bqb
