#pragma once
// Who owns the other end of a loopback TCP connection. TCP has no SO_PEERCRED, but on loopback
// both sockets live in this kernel: the connecting socket is the one whose local address is our
// peer's and whose remote address is ours, and the kernel knows its owner's uid.

#include <optional>

#include <sys/types.h>

#include <boost/asio/ip/tcp.hpp>

namespace bqb {

/// @returns the uid owning the socket that connected to us, for an accepted connection with
/// local endpoint `local` and remote endpoint `remote`: asked of the kernel through
/// NETLINK_SOCK_DIAG (inet_diag, an exact lookup by the 4-tuple), else found in /proc/net/tcp or
/// /proc/net/tcp6. The connecting socket may be AF_INET6 with v4-mapped addresses although ours
/// is AF_INET (the JVM's and .NET's sockets are): both lookups find it. nullopt when neither
/// knows the socket (e.g. it was not a local connection, or the peer already closed it).
/// Blocks (netlink with a 1 s receive timeout, /proc reads): call it off the io thread.
std::optional<uid_t> tcp_peer_uid(const boost::asio::ip::tcp::endpoint& local,
                                  const boost::asio::ip::tcp::endpoint& remote);

/// The two lookups on their own, for tests.
std::optional<uid_t> tcp_peer_uid_by_sock_diag(const boost::asio::ip::tcp::endpoint& local,
                                               const boost::asio::ip::tcp::endpoint& remote);
std::optional<uid_t> tcp_peer_uid_by_proc(const boost::asio::ip::tcp::endpoint& local,
                                          const boost::asio::ip::tcp::endpoint& remote);

}  // namespace bqb
