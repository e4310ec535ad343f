#pragma once
// Reading a small JSON file the user names on the command line (client_secrets.json, an ADC
// file), for sending its content to the daemon. Such a file decides which OAuth client a login
// consents to, or which refresh token is imported, so it must pass proto/trusted_file.h's rule.

#include <cstddef>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::cli {

/// Files bigger than this are refused: the files read here are a few hundred bytes.
inline constexpr std::size_t kMaxJsonFileBytes = 1024 * 1024;

/// @returns the JSON object in `path`. Errors name the file: not_found or io_error when it cannot
/// be read, forbidden when another user owns it or may write to it, payload_too_large over
/// kMaxJsonFileBytes, invalid_json when it is not JSON or not an object.
Result<nlohmann::json> read_json_object_file(const std::filesystem::path& path);

}  // namespace bqb::cli
