#pragma once
// Output files the fakes write for the tests that start them (client_secrets.json, port files).

#include <cstdint>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "fakes/oauth/clients.h"
#include "proto/error.h"

namespace bqb::fakes {

/// Writes `content` to `path` through a temporary file and a rename, so a reader waiting for the
/// file never sees it half-written. `mode` applies to the new file (0600 for anything secret).
/// @returns io_error naming the path and the system's reason.
Status write_file_atomically(const std::string& path, std::string_view content, mode_t mode);

/// Writes what a fake that has started listening tells the test that started it: `client`'s
/// client_secrets.json (mode 0600, URIs under `base_url`) at `client_secrets_out`, and `port`
/// into `port_file`, each only when its path is not empty. @returns the first failure.
Status write_startup_files(const Client& client, std::string_view base_url,
                           const std::string& client_secrets_out, const std::string& port_file,
                           std::uint16_t port);

}  // namespace bqb::fakes
