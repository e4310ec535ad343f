#pragma once
// Reading the kernel's TCP socket table as /proc/net/tcp and /proc/net/tcp6 print it, to learn
// which uid owns a socket (the metadata endpoint's fallback when NETLINK_SOCK_DIAG is not
// available). Pure: the caller reads the file.
//
// Line format (net/ipv4/tcp_ipv4.c get_tcp4_sock, net/ipv6/tcp_ipv6.c get_tcp6_sock):
//   "  0: 0100007F:1F90 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000  1000 0 12345 …"
//   sl  local_address   rem_address   st tx:rx            tr:when     retrnsmt   uid  timeout inode
// An address is the in-memory (network order) bytes printed as 32-bit words with %08X, so the
// words are parsed and copied back in host order; a port is printed in host order with %04X.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bqb {

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network order, and a port.
struct TcpAddress {
  std::array<std::uint8_t, 16> bytes{};
  std::size_t size = 4;
  std::uint16_t port = 0;

  /// Equal when both name the same endpoint: the same port and the same address, where an
  /// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address a.b.c.d. The kernel holds an
  /// AF_INET6 socket connected to an IPv4 address (a JVM's, by default) with mapped addresses,
  /// in /proc/net/tcp6, while the AF_INET socket it talks to sees plain IPv4 ones. Bytes past
  /// `size` are ignored.
  friend bool operator==(const TcpAddress& a, const TcpAddress& b);
};

/// @returns `a` as its IPv4 address (4 bytes) when it is IPv4-mapped, else `a` unchanged.
TcpAddress without_v4_mapping(const TcpAddress& a);

/// @returns the IPv4-mapped IPv6 form (16 bytes, ::ffff:a.b.c.d) of an IPv4 address; an IPv6
/// address unchanged.
TcpAddress as_v4_mapped(const TcpAddress& a);

struct ProcNetTcpEntry {
  TcpAddress local;
  TcpAddress remote;
  std::uint32_t uid = 0;
};

/// @returns one parsed line of /proc/net/tcp or /proc/net/tcp6; nullopt for the header line and
/// anything malformed.
std::optional<ProcNetTcpEntry> parse_proc_net_tcp_line(std::string_view line);

/// @returns the uid of the socket whose local address is `local` and remote address is `remote`
/// (compared as TcpAddress's operator== does, so an IPv4 address finds a v4-mapped line of
/// /proc/net/tcp6) in `table` (a whole /proc/net/tcp or tcp6 text); nullopt when no line matches.
std::optional<std::uint32_t> find_tcp_socket_owner(std::string_view table, const TcpAddress& local,
                                                   const TcpAddress& remote);

}  // namespace bqb
