#pragma once
// Safe creation of the daemon's listening socket when it binds one itself (not under systemd).
// The threat: another local user pre-creating the directory or the socket to intercept clients.

#include <filesystem>

#include "proto/error.h"

namespace bqb {

/// Creates `dir` with mode 0700 when it does not exist (its parent must). An existing `dir` must
/// be a real directory (not a symlink), owned by this uid, with no group/other permissions.
/// @returns io_error naming the directory and what is wrong with it.
Status prepare_private_dir(const std::filesystem::path& dir);

/// Makes `path` free for bind(): a stale socket (nobody accepts on it) is removed; a socket that
/// a live process answers on is left alone and reported as conflict; anything else that exists
/// there is reported as io_error.
Status clear_stale_socket(const std::filesystem::path& path);

/// @returns whether something accepts connections on the Unix socket `path`.
bool socket_is_live(const std::filesystem::path& path);

}  // namespace bqb
