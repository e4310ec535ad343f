#pragma once
// Output files the fakes write for the tests that start them (client_secrets.json, port files).

#include <string>
#include <string_view>

#include <sys/types.h>

#include "proto/error.h"

namespace bqb::fakes {

/// Writes `content` to `path` through a temporary file and a rename, so a reader waiting for the
/// file never sees it half-written. `mode` applies to the new file (0600 for anything secret).
/// @returns io_error naming the path and the system's reason.
Status write_file_atomically(const std::string& path, std::string_view content, mode_t mode);

}  // namespace bqb::fakes
