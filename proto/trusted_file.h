#pragma once
// Reading a small file that decides what bqbroker trusts or where it sends secrets: config.toml
// (endpoints, the secret store), client_secrets.json (the OAuth client a login consents to), an
// ADC file (a refresh token to import). Another local user who can write such a file could point
// the user's tokens elsewhere, so it is refused unless it passes the rule ssh applies to its
// configuration: a regular file, owned by the user or by root, that no one else may write. The
// file is opened first and the checks are made on what was opened (fstat), so a swap between the
// check and the read changes nothing; a symbolic link is followed (dotfile managers use them), and
// what it points to must pass.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "proto/error.h"

namespace bqb {

/// @returns the content of `path`. `what` names the file in every error, e.g. "the configuration
/// file /home/ann/.config/bqbroker/config.toml (from $XDG_CONFIG_HOME)". Errors:
/// - not_found: it does not exist ("cannot open WHAT: No such file or directory");
/// - io_error: it cannot be opened or read (errno's text), or is not a regular file;
/// - forbidden: another user (not root) owns it, or its group or others may write to it (the
///   message says which, the hint the command that fixes it);
/// - payload_too_large: it is larger than `max_bytes`.
/// Opens with O_NONBLOCK, so a FIFO named by mistake cannot hang the caller.
Result<std::string> read_trusted_file(const std::filesystem::path& path, std::string_view what,
                                      std::size_t max_bytes);

}  // namespace bqb
