#pragma once
// The memory SecretStore: nothing persists beyond the process. For tests and throwaway use
// (`store = "memory"`). Tests can make it fail like an unreachable keyring with fail_with().

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "daemon/accounts/secret_store.h"

namespace bqb {

class MemoryStore final : public SecretStore {
 public:
  Result<std::optional<Secret>> get(const SecretKey& key) override;
  Status put(const SecretKey& key, const Secret& secret, std::string_view label) override;
  Status remove(const SecretKey& key) override;
  std::string_view kind() const override { return "memory"; }

  /// While set, every get/put/remove returns `error` instead of touching the map (a seam for tests
  /// of the daemon's behaviour with a locked or unreachable keyring). nullopt restores normal work.
  void fail_with(std::optional<Error> error);

  /// @returns the label `key` was last stored with, or nullopt when nothing is stored under it.
  std::optional<std::string> label(const SecretKey& key) const;
  /// @returns how many items are stored.
  std::size_t size() const;

 private:
  struct Item {
    Secret secret;
    std::string label;
  };
  mutable std::mutex mu_;
  std::map<SecretKey, Item> items_;
  std::optional<Error> failure_;
};

}  // namespace bqb
