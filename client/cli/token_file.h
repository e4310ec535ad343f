#pragma once
// The access-token file of `bqbroker exec` (CLOUDSDK_AUTH_ACCESS_TOKEN_FILE): private to the
// user, replaced atomically on each rewrite (a reader sees the old token or the new one, never a
// partial file), and removed when the owner goes. A bqbroker killed with SIGKILL cannot remove
// its file: the next TokenFile::create in the same directory removes such leftovers once their
// token has surely expired.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>

#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::cli {

/// @returns whether `name` is that of a token file (bqbroker-exec-XXXXXX.token) or of a rewrite's
/// temporary file beside it (….token.XXXXXX). Pure.
bool is_token_file_name(std::string_view name);

/// How long nothing must have written a token file before it counts as left behind: longer than
/// any access token lives (Google's last an hour at most, and a live file is rewritten before
/// its token expires), so the token in such a file has expired.
inline constexpr std::chrono::hours kLeftoverAge{2};

/// Removes the token files in `dir` that are regular files of this user (never through a
/// symlink) last written more than kLeftoverAge before `now`. Errors are ignored: a file that
/// cannot be removed stays.
void remove_leftover_token_files(const std::filesystem::path& dir,
                                 std::chrono::system_clock::time_point now);

class TokenFile {
 public:
  /// Creates an empty 0600 file named bqbroker-exec-XXXXXX.token in `runtime_dir`
  /// ($XDG_RUNTIME_DIR) when that is an absolute path to a directory owned by this user that
  /// no one else can enter, removing the leftovers there first; else in a fresh 0700 directory
  /// under $TMPDIR (or /tmp), removed with the file. @returns io_error naming the path when
  /// neither works.
  static Result<TokenFile> create(const std::optional<std::filesystem::path>& runtime_dir);

  TokenFile(TokenFile&& other) noexcept;
  TokenFile& operator=(TokenFile&&) = delete;
  TokenFile(const TokenFile&) = delete;
  ~TokenFile();

  /// Replaces the file's content with `token` (no newline): writes a 0600 temporary file beside
  /// it and renames it over the file. @returns io_error naming the path; the old content stays.
  Status write(const Secret& token);

  /// Removes the file (and the private directory, if one was made). Idempotent.
  void remove();

  const std::filesystem::path& path() const { return path_; }

 private:
  TokenFile(std::filesystem::path path, std::optional<std::filesystem::path> private_dir)
      : path_(std::move(path)), private_dir_(std::move(private_dir)) {}

  std::filesystem::path path_;
  std::optional<std::filesystem::path> private_dir_;
  bool removed_ = false;
};

}  // namespace bqb::cli
