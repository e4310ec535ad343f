#pragma once
// Builds the SecretStore that config.toml's `store` names.

#include <filesystem>
#include <memory>

#include "daemon/accounts/secret_store.h"
#include "daemon/base/config.h"

namespace bqb {

/// @returns the backend for `kind`: LibsecretStore (the Secret Service), FileStore in
/// `state_dir`/credentials.json, or MemoryStore. The file store logs a warning each time it is
/// made (refresh tokens in a plain file); the memory store says that nothing persists. Nothing is
/// contacted here: an unreachable Secret Service shows at the first use, as store_unavailable.
std::unique_ptr<SecretStore> make_secret_store(StoreKind kind,
                                               const std::filesystem::path& state_dir);

}  // namespace bqb
