#include "daemon/accounts/secret_store_factory.h"

#include <spdlog/spdlog.h>

#include "daemon/accounts/file_store.h"
#include "daemon/accounts/libsecret_store.h"
#include "daemon/accounts/memory_store.h"

namespace bqb {

std::unique_ptr<SecretStore> make_secret_store(StoreKind kind,
                                               const std::filesystem::path& state_dir) {
  switch (kind) {
    case StoreKind::secret_service:
      return std::make_unique<LibsecretStore>();
    case StoreKind::file: {
      auto store = std::make_unique<FileStore>(state_dir / kCredentialsFileName);
      spdlog::warn(
          "store = \"file\": refresh tokens and client secrets are kept in plain text in {}, "
          "protected only by its mode 0600; prefer the desktop keyring (store = "
          "\"secret-service\") where one is available",
          store->path().string());
      return store;
    }
    case StoreKind::memory:
      spdlog::warn("store = \"memory\": logins are kept only until the daemon stops");
      return std::make_unique<MemoryStore>();
  }
  return std::make_unique<LibsecretStore>();  // unreachable: every kind is handled above
}

}  // namespace bqb
