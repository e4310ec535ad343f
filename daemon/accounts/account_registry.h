#pragma once
// The account registry: the non-secret metadata of every logged-in account
// (daemon/accounts/account.h) in STATE_DIR/accounts.json (STATE_DIR is $XDG_STATE_HOME/bqbroker,
// created 0700; the file is 0600). Secrets never go here: they are in the SecretStore under
// Account::secret_key().
//
// Every change is written atomically before it becomes visible, so a `kill -9` at any moment leaves
// the old or the new registry, and a restart needs no new login. A file that cannot be read as an
// accounts file is never dropped silently: it is kept as accounts.json.corrupt-<UTC time> and
// reported through recovery(), and the registry starts from what could be read.

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/accounts/account.h"
#include "proto/error.h"

namespace bqb {

inline constexpr std::string_view kAccountsFileName = "accounts.json";

/// What open() had to repair. The daemon logs it as a warning at start.
struct RegistryRecovery {
  std::filesystem::path kept_as;      // the copy of the unreadable file (accounts.json.corrupt-…)
  std::vector<std::string> problems;  // what could not be read, one message each
};

class AccountRegistry {
 public:
  /// Loads STATE_DIR/accounts.json (absent: an empty registry), creating STATE_DIR with mode 0700.
  /// `now` names a corrupt file's kept copy. @returns io_error when the directory cannot be made
  /// private or the file cannot be read at all (nothing is moved then), invalid_json when the file
  /// is from a newer bqbroker.
  static Result<std::unique_ptr<AccountRegistry>> open(const std::filesystem::path& state_dir,
                                                       std::chrono::sys_seconds now);

  /// @returns the repair open() made, or nullopt when the file was read whole.
  const std::optional<RegistryRecovery>& recovery() const { return recovery_; }
  const std::filesystem::path& path() const { return file_; }

  /// @returns all accounts, in the order they were added.
  std::vector<Account> list() const;
  /// @returns the default account's email; nullopt exactly when there are no accounts.
  std::optional<std::string> default_email() const;
  /// @returns the account with `email`, or nullopt.
  std::optional<Account> find(std::string_view email) const;

  /// Adds `account` or replaces the one with the same email; the first account becomes the
  /// default. @returns the replaced record (its secret may live under another client id: the caller
  /// removes it from the store), or io_error with nothing changed.
  Result<std::optional<Account>> upsert(Account account);
  /// Forgets the account with `email`; removing the default makes the oldest remaining one the
  /// default. @returns the removed record, nullopt when there was none, or io_error.
  Result<std::optional<Account>> remove(std::string_view email);
  /// @returns not_found for an unknown email, io_error when saving fails.
  Status set_default(std::string_view email);
  /// Sets the account's state: `ok` clears the reason and time; `needs_login` records `reason` and
  /// `since` (kept unchanged if the account already needs a login). @returns not_found or io_error.
  Status set_state(std::string_view email, AccountState state, std::string reason,
                   std::chrono::sys_seconds since);

 private:
  AccountRegistry(std::filesystem::path file, AccountBook book,
                  std::optional<RegistryRecovery> recovery);
  // Writes `next` and adopts it; on failure the registry stays as it was. Called with mu_ held.
  Status commit(AccountBook next);

  std::filesystem::path file_;
  mutable std::mutex mu_;
  AccountBook book_;
  std::optional<RegistryRecovery> recovery_;
};

}  // namespace bqb
