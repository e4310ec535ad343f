#pragma once
// Where refresh tokens and client secrets are kept: a small synchronous interface with three
// backends (the Secret Service through libsecret, a 0600 file, memory), after 99designs/keyring.
// The store is generic: it keeps one opaque Secret per key. What that Secret holds (one JSON record
// with the refresh token and the client secret) is defined by the account layer,
// daemon/accounts/account.h.

#include <optional>
#include <string>
#include <string_view>

#include "proto/error.h"
#include "proto/secret.h"

namespace bqb {

/// Identifies one stored secret. Only non-secret attributes: they are visible to anyone who can
/// list the keyring (Seahorse shows them), so never put anything confidential here.
struct SecretKey {
  std::string account;    // the Google account's email
  std::string client_id;  // the OAuth client the refresh token was issued to

  friend bool operator==(const SecretKey&, const SecretKey&) = default;
  friend auto operator<=>(const SecretKey&, const SecretKey&) = default;
};

/// A place to keep secrets. Calls are synchronous and may block (libsecret talks D-Bus and can wait
/// for an unlock prompt): the daemon calls them off its io thread. Implementations are thread-safe.
/// Every failure to reach or use the store is Errc::store_unavailable with a hint saying what to
/// do.
class SecretStore {
 public:
  virtual ~SecretStore() = default;

  /// @returns the secret stored under `key`, or nullopt when there is none ("not found" is not an
  /// error).
  virtual Result<std::optional<Secret>> get(const SecretKey& key) = 0;

  /// Stores `secret` under `key`, replacing any previous value. `label` is what a person sees for
  /// the item (in Seahorse); it must not contain anything secret.
  virtual Status put(const SecretKey& key, const Secret& secret, std::string_view label) = 0;

  /// Deletes the secret under `key`. Removing a key that holds nothing succeeds.
  virtual Status remove(const SecretKey& key) = 0;

  /// @returns "secret-service", "file" or "memory" (the spelling of config.toml's `store`), for
  /// `bqbroker status`.
  virtual std::string_view kind() const = 0;
};

}  // namespace bqb
