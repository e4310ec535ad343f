#pragma once
// The account records of bqbroker and their JSON, without any I/O:
// - StoredCredentials: the one secret record kept in the SecretStore per (account, client id): the
//   refresh token and the client secret, so a refresh works after the user deleted the downloaded
//   client_secrets.json.
// - Account: the non-secret metadata of one logged-in Google account (client id, token_uri,
//   project, granted scopes, state), and AccountBook, all accounts plus which one is the default.
//   daemon/accounts/account_registry.h keeps the book in $XDG_STATE_HOME/bqbroker/accounts.json.
// Neither Account nor AccountBook can hold a secret: the registry file never contains one.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/accounts/secret_store.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb {

// --- The secret record ---------------------------------------------------------------------------

/// What a refresh needs that must stay secret. Serialised to one JSON string for the store:
/// {"version":1,"refresh_token":"…","client_secret":"…"}.
struct StoredCredentials {
  Secret refresh_token;  // never empty
  Secret client_secret;  // empty for a client that has none

  friend bool operator==(const StoredCredentials&, const StoredCredentials&) = default;
};

/// @returns the record as the Secret to hand to SecretStore::put.
Secret to_secret(const StoredCredentials& credentials);
/// @returns the record read back from a stored Secret; invalid_json naming `where` (never the
/// content) when it is not one of ours.
Result<StoredCredentials> stored_credentials_from_secret(const Secret& secret,
                                                         std::string_view where);

/// @returns the store label of `email`'s credentials, as a person sees it in Seahorse:
/// "bqbroker: BigQuery credentials for EMAIL".
std::string credentials_label(std::string_view email);

// --- Account metadata ----------------------------------------------------------------------------

enum class AccountState {
  ok,           // the stored refresh token is believed to work
  needs_login,  // Google refused it (revoked, expired) or it is missing: `bqbroker login` again
};

/// @returns "ok" or "needs_login".
std::string_view to_string(AccountState state);

/// The non-secret metadata of one account. Identified by `email`; one client per account (a new
/// login of the same email with another client replaces the record).
struct Account {
  std::string email;
  std::string client_id;
  std::string token_uri;
  std::optional<std::string> auth_uri;
  std::optional<std::string> project_id;
  std::vector<std::string> scopes;  // as granted by Google
  std::chrono::sys_seconds added_at{};
  AccountState state = AccountState::ok;
  std::string state_reason;  // why needs_login; empty when ok
  std::optional<std::chrono::sys_seconds>
      state_since;  // when the state last changed to needs_login
  /// Fields of accounts.json this version does not know, written back unchanged (a newer bqbroker
  /// may have added them). Fields named like secrets are dropped when reading, never kept.
  nlohmann::json extra = nlohmann::json::object();

  /// @returns the key of this account's StoredCredentials in the SecretStore.
  SecretKey secret_key() const { return SecretKey{email, client_id}; }

  friend bool operator==(const Account&, const Account&) = default;
};

/// All accounts and the default one. Invariant kept by the operations below: `default_email` is
/// nullopt exactly when `accounts` is empty, and otherwise names one of them.
struct AccountBook {
  std::vector<Account> accounts;  // in the order they were first added
  std::optional<std::string> default_email;
  nlohmann::json extra = nlohmann::json::object();  // unknown top-level fields, kept

  friend bool operator==(const AccountBook&, const AccountBook&) = default;
};

/// @returns the account with `email`, or nullptr.
const Account* find_account(const AccountBook& book, std::string_view email);
/// Adds `account`, or replaces the record with the same email in place. The first account becomes
/// the default. @returns the replaced record, if any (its secret may live under another client id).
std::optional<Account> upsert_account(AccountBook& book, Account account);
/// Removes the account with `email`; when it was the default, the oldest remaining account becomes
/// the default (or none is). @returns the removed record, or nullopt when there was none.
std::optional<Account> remove_account(AccountBook& book, std::string_view email);
/// Makes `email` the default. @returns not_found when no such account is known.
Status set_default_account(AccountBook& book, std::string_view email);

/// The version of accounts.json this build writes; a file with a higher version is refused.
inline constexpr int kAccountsFileVersion = 1;

nlohmann::json to_json(const Account& account);
/// @returns the account read from `j`; invalid_json naming the field and `where` otherwise.
Result<Account> account_from_json(const nlohmann::json& j, std::string_view where);

nlohmann::json to_json(const AccountBook& book);

/// A book read from JSON, and the records that could not be read (each an error message).
struct ParsedAccountBook {
  AccountBook book;
  std::vector<std::string> skipped;
};
/// @returns the book read from `j`. A document that is not an accounts file at all is an error;
/// single unreadable account records are skipped and reported, so the others survive. The default
/// is repaired when it names no account that was read.
Result<ParsedAccountBook> account_book_from_json(const nlohmann::json& j, std::string_view where);

/// @returns `t` as RFC 3339 UTC with seconds, e.g. "2024-05-01T12:00:00Z".
std::string format_utc(std::chrono::sys_seconds t);
/// @returns the time in an RFC 3339 UTC string as format_utc writes it, or nullopt.
std::optional<std::chrono::sys_seconds> parse_utc(std::string_view text);

}  // namespace bqb
