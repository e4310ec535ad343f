#pragma once
// Opening a listening TCP socket the same way for every TCP listener of the daemon (metadata
// endpoints, the login redirect listener).
//
// SO_REUSEADDR is set: without it, a restart on a fixed port (systemctl --user restart, every
// upgrade) fails for about a minute while the previous instance's closed connections sit in
// TIME_WAIT. On Linux it does not let a second socket bind a port a live listener holds (only
// SO_REUSEPORT would), so "the port is in use" still means another program is listening there.

#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proto/error.h"

namespace bqb {

/// Binds and listens on `endpoint` (IPv6: v6-only). `what` completes "cannot … on ADDRESS" in
/// errors ("open the metadata endpoint"). @returns the acceptor; conflict with `in_use_hint`
/// when the port is in use; io_error naming the address otherwise.
Result<boost::asio::ip::tcp::acceptor> listen_tcp(boost::asio::any_io_executor executor,
                                                  const boost::asio::ip::tcp::endpoint& endpoint,
                                                  std::string_view what,
                                                  std::string_view in_use_hint);

/// @returns "127.0.0.1:8080" or "[::1]:8080".
std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace bqb
