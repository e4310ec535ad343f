#pragma once
// The access-token file of `bqbroker exec` (CLOUDSDK_AUTH_ACCESS_TOKEN_FILE): private to the
// user, replaced atomically on each rewrite (a reader sees the old token or the new one, never a
// partial file), and removed when the owner goes.

#include <filesystem>
#include <optional>

#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::cli {

class TokenFile {
 public:
  /// Creates an empty 0600 file named bqbroker-exec-XXXXXX.token in `runtime_dir`
  /// ($XDG_RUNTIME_DIR) when that is an absolute path to a directory owned by this user that
  /// no one else can enter; else in a fresh 0700 directory under $TMPDIR (or /tmp), removed
  /// with the file. @returns io_error naming the path when neither works.
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
