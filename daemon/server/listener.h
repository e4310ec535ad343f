#pragma once
// The daemon's listening socket: the one systemd passed, or one it binds itself safely.

#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "proto/error.h"

namespace bqb {

struct Listener {
  boost::asio::local::stream_protocol::acceptor acceptor;
  std::filesystem::path path;
  /// True when the daemon created the socket file and must remove it at exit; false when systemd
  /// passed it (systemd owns the file and keeps it for the next activation).
  bool owns_file = false;
};

/// Takes the socket systemd passed, if any; otherwise makes `path`'s directory private
/// (prepare_private_dir), replaces a stale socket, and binds `path` with mode 0600.
/// @returns the listener, or the error that must stop the start (named path, reason, hint).
Result<Listener> open_listener(boost::asio::io_context& io, const std::filesystem::path& path);

}  // namespace bqb
