#pragma once
// Loads the configuration file from disk: the I/O half of daemon/base/config.h.

#include <filesystem>

#include "daemon/base/config.h"
#include "daemon/base/paths.h"
#include "proto/error.h"

namespace bqb {

struct LoadedConfig {
  Config config;
  /// The absolute path that was looked at (shown in logs and `status`).
  std::filesystem::path path;
  /// False when the default file does not exist and `config` holds the defaults.
  bool found = false;
};

/// Files larger than this are refused: a configuration is a few hundred bytes, and a mistaken
/// path (a device, a log) must not be read into memory.
inline constexpr std::size_t kMaxConfigFileBytes = 1 << 20;

/// Reads and parses the file at `where`. A missing file at the default location means the
/// defaults; a missing file that the user named (--config, $BQBROKER_CONFIG) is an error.
/// The file must pass proto/trusted_file.h's rule (the user's or root's, writable by no one
/// else): it names the endpoints tokens go to.
/// @returns the configuration, or config_invalid (missing explicit file, bad content: the message
///          names the file, the key and the line), io_error (unreadable, not a regular file),
///          forbidden (another user owns it or may write to it) or payload_too_large, each naming
///          the path and where it came from.
Result<LoadedConfig> load_config_file(const ConfigLocation& where);

}  // namespace bqb
