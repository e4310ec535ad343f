#pragma once
// The Secret Service SecretStore (the desktop keyring: gnome-keyring, KeePassXC, KWallet's bridge),
// through libsecret's synchronous API. Items live in the default collection ("login" on GNOME)
// under the project's own schema, so they are found by attributes, never by label:
//
//   schema     org.bqbroker.Credentials   (kSecretSchemaName)
//   attributes account = EMAIL, client_id = CLIENT_ID   (both non-secret)
//   label      "bqbroker: BigQuery credentials for EMAIL" (the caller's label; Seahorse shows it)
//
// Calls block on D-Bus and possibly on an unlock prompt; each call is bounded by a deadline after
// which it is cancelled. Failures are store_unavailable with a hint: no session bus or no Secret
// Service → start one or choose `store = "file"`; a locked keyring or a dismissed prompt → unlock.

#include <chrono>

#include "daemon/accounts/secret_store.h"

namespace bqb {

inline constexpr std::string_view kSecretSchemaName = "org.bqbroker.Credentials";

class LibsecretStore final : public SecretStore {
 public:
  struct Options {
    /// The longest one call may take, including a person answering an unlock prompt.
    std::chrono::milliseconds timeout{std::chrono::seconds(120)};
  };

  LibsecretStore();
  explicit LibsecretStore(Options options);

  /// A locked item is an error (store_unavailable, "unlock your keyring"), never "not found".
  Result<std::optional<Secret>> get(const SecretKey& key) override;
  /// Creates or replaces the item in the default collection.
  Status put(const SecretKey& key, const Secret& secret, std::string_view label) override;
  /// Deletes every item with `key`'s attributes; an item that stays (locked) is an error.
  Status remove(const SecretKey& key) override;
  std::string_view kind() const override { return "secret-service"; }

 private:
  Options options_;
};

}  // namespace bqb
