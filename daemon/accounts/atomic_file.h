#pragma once
// Small files that must survive a crash intact and stay private: written to a temporary file in
// the same directory, fsync'ed, renamed over the target, and the directory fsync'ed, so a reader
// (or the next start after `kill -9` or a power cut) sees either the old or the new content.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "proto/error.h"

namespace bqb {

/// Creates `dir` (and missing parents) with mode 0700. An existing `dir` must be a directory owned
/// by this user; its mode is tightened to 0700 if it was looser. @returns io_error naming the path.
Status ensure_private_dir(const std::filesystem::path& dir);

/// Replaces `target` atomically with `content`, the new file having exactly `mode`.
/// @returns io_error naming the path and the failing step; `target` is then unchanged.
Status write_file_atomically(const std::filesystem::path& target, std::string_view content,
                             mode_t mode = 0600);

/// How read_file treats the file's owner and mode.
enum class FileAccess {
  any,           // no checks beyond being a regular file
  private_only,  // must be owned by this user and not readable or writable by group/others
};

/// @returns the content of the regular file `path`, or nullopt when it does not exist.
/// Symbolic links are not followed. With FileAccess::private_only a file owned by someone else or
/// with any group/other permission bit is refused (io_error saying what to fix) before reading.
Result<std::optional<std::string>> read_file(const std::filesystem::path& path,
                                             FileAccess access = FileAccess::any);

}  // namespace bqb
