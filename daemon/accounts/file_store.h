#pragma once
// The file SecretStore, used only when config.toml says `store = "file"` (no Secret Service on the
// machine). Secrets sit in plain text in one file, protected only by its mode: 0600 in a 0700
// directory, $XDG_STATE_HOME/bqbroker/credentials.json. The daemon warns about this at each start.
//
// File format: {"version":1,"items":[{"account":…,"client_id":…,"label":…,"secret":…}]}.
// Every write replaces the file atomically (write_file_atomically). A file that other users could
// read or that is not owned by this user is refused, not used: the secrets in it may be exposed.

#include <filesystem>
#include <mutex>

#include "daemon/accounts/secret_store.h"

namespace bqb {

inline constexpr std::string_view kCredentialsFileName = "credentials.json";

class FileStore final : public SecretStore {
 public:
  /// A store in `file` (usually state_dir / kCredentialsFileName). Nothing is touched until the
  /// first call; the directory is created (0700) by the first put.
  explicit FileStore(std::filesystem::path file);

  Result<std::optional<Secret>> get(const SecretKey& key) override;
  Status put(const SecretKey& key, const Secret& secret, std::string_view label) override;
  Status remove(const SecretKey& key) override;
  std::string_view kind() const override { return "file"; }

  const std::filesystem::path& path() const { return file_; }

 private:
  std::filesystem::path file_;
  std::mutex mu_;  // serialises read-modify-write cycles within this process
};

}  // namespace bqb
