#pragma once
// The accounts as the token service sees them: look one up, read what its refresh needs, record
// that Google refused it, and hear of logouts and new logins. The account service
// (account_service.h) implements it; token-service tests substitute a small fake.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "daemon/accounts/account.h"
#include "daemon/oauth/oauth_client.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb {

/// Everything a refresh grant for one account needs.
struct AccountCredentials {
  Account account;            // the metadata as registered
  oauth::OAuthClient client;  // client id, client secret (from the store), token_uri
  Secret refresh_token;
};

class AccountDirectory {
 public:
  virtual ~AccountDirectory() = default;

  /// @returns the default account's email; nullopt exactly when there are no accounts. Immediate.
  virtual std::optional<std::string> default_email() const = 0;
  /// @returns the account with `email`, or nullopt. Immediate.
  virtual std::optional<Account> find(std::string_view email) const = 0;

  /// @returns what a refresh of `email` needs, read from the store; not_found for an unknown
  /// account; needs_login when the store holds no credentials for it; store_unavailable.
  virtual boost::asio::awaitable<Result<AccountCredentials>> credentials(std::string email) = 0;

  /// Puts `email` into needs_login with `reason` (Google refused its refresh token). A new login
  /// clears it. @returns not_found or io_error.
  virtual boost::asio::awaitable<Status> mark_needs_login(std::string email,
                                                          std::string reason) = 0;

  /// Registers `observer`, called on the io thread after an account was logged out.
  /// Register before serving requests.
  virtual void on_account_removed(std::function<void(const std::string& email)> observer) = 0;
  /// Registers `observer`, called on the io thread after a login or import stored new
  /// credentials for an account. Register before serving requests.
  virtual void on_account_stored(std::function<void(const Account& account)> observer) = 0;
};

}  // namespace bqb
