#pragma once
// Reading a small JSON file the user names on the command line (client_secrets.json, an ADC
// file), for sending its content to the daemon.

#include <cstddef>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::cli {

/// Files bigger than this are refused: the files read here are a few hundred bytes.
inline constexpr std::size_t kMaxJsonFileBytes = 1024 * 1024;

/// @returns the JSON object in `path`. Errors name the file: io_error when it cannot be read,
/// payload_too_large over kMaxJsonFileBytes, invalid_json when it is not JSON or not an object.
Result<nlohmann::json> read_json_object_file(const std::filesystem::path& path);

}  // namespace bqb::cli
