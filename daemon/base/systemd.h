#pragma once
// systemd glue: sockets passed by socket activation, and sd_notify state changes. Both are no-ops
// when the daemon was not started by systemd (no LISTEN_FDS / NOTIFY_SOCKET).

#include <optional>
#include <string_view>

#include "proto/error.h"

namespace bqb::systemd {

/// @returns the listening Unix stream socket systemd passed (named "bqbroker", or the only one),
/// nullopt when none was passed; an error when what was passed is not a listening Unix socket.
/// Unsets LISTEN_FDS & co. so children do not inherit them.
Result<std::optional<int>> take_listen_fd();

/// Sends READY=1 with a STATUS line.
void notify_ready(std::string_view status);
/// Sends STOPPING=1 with a STATUS line.
void notify_stopping(std::string_view status);

}  // namespace bqb::systemd
