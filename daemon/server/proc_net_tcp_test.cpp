// Parsing /proc/net/tcp(6) lines into addresses and the owning uid. The sample lines are what a
// little-endian Linux prints (every machine bqbroker targets); the address words are host order.

#include "daemon/server/proc_net_tcp.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

TcpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
  TcpAddress t;
  t.size = 4;
  t.bytes = {a, b, c, d};
  t.port = port;
  return t;
}

// ::ffff:a.b.c.d, as an AF_INET6 socket connected to an IPv4 address holds its endpoints.
TcpAddress v4_mapped(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d,
                     std::uint16_t port) {
  TcpAddress t;
  t.size = 16;
  t.bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
  t.port = port;
  return t;
}

TcpAddress v6_loopback(std::uint16_t port) {
  TcpAddress t;
  t.size = 16;
  t.bytes[15] = 1;
  t.port = port;
  return t;
}

constexpr std::string_view kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n"
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "4711 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:D2A4 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 "
    "4712 1 0000000000000000 20 4 30 10 -1\n"
    "   2: 0100007F:1F90 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 "
    "4713 1 0000000000000000 20 4 30 10 -1\n"
    "   3: 0F02000A:0016 0202000A:C350 01 00000000:00000000 00:00000000 00000000  1000        0 "
    "4714 1 0000000000000000 20 4 30 10 -1\n";

// What /proc/net/tcp6 shows for a JVM (AF_INET6 sockets by default) connected from
// ::ffff:127.0.0.1:53924 to a server on 127.0.0.1:8080, and a v4-mapped 10.0.2.15:22 connection.
// get_tcp6_sock prints s6_addr32[0..3] with %08X each: ::ffff:127.0.0.1 is the words 0, 0,
// 0xFFFF0000 and 0x0100007F on a little-endian machine.
constexpr std::string_view kTcp6 =
    "  sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0000000000000000FFFF00000100007F:D2A4 0000000000000000FFFF00000100007F:1F90 01 "
    "00000000:00000000 00:00000000 00000000  1000        0 4715 1 0000000000000000 20 4 30 10 -1\n"
    "   1: 0000000000000000FFFF00000F02000A:0016 0000000000000000FFFF00000202000A:C350 01 "
    "00000000:00000000 00:00000000 00000000  1001        0 4716 1 0000000000000000 20 4 30 10 -1\n"
    "   2: 00000000000000000000000001000000:A000 00000000000000000000000001000000:1F90 01 "
    "00000000:00000000 00:00000000 00000000  1002        0 4717 1 0000000000000000 20 4 30 10 -1\n";

TEST(ProcNetTcp, ParsesAddressesPortsAndUid) {
  auto e = parse_proc_net_tcp_line(
      "   3: 0F02000A:0016 0202000A:C350 01 00000000:00000000 00:00000000 00000000  1000  0 4714");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->local, v4(10, 0, 2, 15, 22));
  EXPECT_EQ(e->remote, v4(10, 0, 2, 2, 50000));
  EXPECT_EQ(e->uid, 1000u);
}

TEST(ProcNetTcp, ParsesIpv6Lines) {
  auto e = parse_proc_net_tcp_line(
      "   0: 00000000000000000000000001000000:A000 00000000000000000000000001000000:1F90 01 "
      "00000000:00000000 00:00000000 00000000  1001        0 99 1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->local, v6_loopback(0xA000));
  EXPECT_EQ(e->remote, v6_loopback(8080));
  EXPECT_EQ(e->uid, 1001u);
}

TEST(ProcNetTcp, RejectsTheHeaderAndMalformedLines) {
  EXPECT_FALSE(parse_proc_net_tcp_line(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid"));
  EXPECT_FALSE(parse_proc_net_tcp_line(""));
  EXPECT_FALSE(parse_proc_net_tcp_line("   0: 0100007F 0100007F:1F90 01 0:0 0:0 0 1000"));
  EXPECT_FALSE(parse_proc_net_tcp_line("   0: 0100007F:1F90 0100007F:1F90 01 0:0 0:0 0 x"));
  EXPECT_FALSE(parse_proc_net_tcp_line("   0: 0100007G:1F90 0100007F:1F90 01 0:0 0:0 0 1"));
  // Mixed address families never describe one socket.
  EXPECT_FALSE(parse_proc_net_tcp_line(
      "   0: 0100007F:1F90 00000000000000000000000001000000:1F90 01 0:0 0:0 0 1"));
}

TEST(ProcNetTcp, FindsTheConnectingSocketNotTheAcceptedOne) {
  // Server on 127.0.0.1:8080 accepted a connection from 127.0.0.1:53924. The client's socket has
  // local = the client's address and remote = the server's; its owner is nobody.
  const auto server = v4(127, 0, 0, 1, 8080);
  const auto client = v4(127, 0, 0, 1, 53924);
  EXPECT_EQ(find_tcp_socket_owner(kTcp, client, server), 65534u);
  EXPECT_EQ(find_tcp_socket_owner(kTcp, server, client), 0u);
  EXPECT_FALSE(find_tcp_socket_owner(kTcp, v4(127, 0, 0, 1, 53925), server));
  EXPECT_FALSE(find_tcp_socket_owner("", client, server));
}

TEST(ProcNetTcp, ParsesV4MappedIpv6Lines) {
  auto e = parse_proc_net_tcp_line(
      "   0: 0000000000000000FFFF00000100007F:D2A4 0000000000000000FFFF00000100007F:1F90 01 "
      "00000000:00000000 00:00000000 00000000  1000        0 4715 1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->local.size, 16u);
  const std::array<std::uint8_t, 16> bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
  EXPECT_EQ(e->local.bytes, bytes);
  EXPECT_EQ(e->local.port, 53924);
  EXPECT_EQ(e->remote.port, 8080);
  EXPECT_EQ(e->uid, 1000u);
}

TEST(ProcNetTcp, AV4MappedAddressEqualsItsIpv4Address) {
  EXPECT_EQ(v4_mapped(127, 0, 0, 1, 8080), v4(127, 0, 0, 1, 8080));
  EXPECT_EQ(v4(127, 0, 0, 1, 8080), v4_mapped(127, 0, 0, 1, 8080));
  EXPECT_EQ(v4_mapped(10, 0, 2, 15, 22), v4_mapped(10, 0, 2, 15, 22));
  EXPECT_NE(v4_mapped(127, 0, 0, 1, 8080), v4(127, 0, 0, 1, 8081));
  EXPECT_NE(v4_mapped(127, 0, 0, 2, 8080), v4(127, 0, 0, 1, 8080));
  // ::127.0.0.1 (the deprecated "IPv4-compatible" form) and ::1 are IPv6 addresses, not IPv4.
  TcpAddress compatible = v4_mapped(127, 0, 0, 1, 8080);
  compatible.bytes[10] = compatible.bytes[11] = 0;
  EXPECT_NE(compatible, v4(127, 0, 0, 1, 8080));
  EXPECT_NE(v6_loopback(8080), v4(0, 0, 0, 1, 8080));
}

TEST(ProcNetTcp, ConvertsBetweenIpv4AndV4MappedForms) {
  EXPECT_EQ(as_v4_mapped(v4(127, 0, 0, 1, 8080)).size, 16u);
  EXPECT_EQ(as_v4_mapped(v4(127, 0, 0, 1, 8080)).bytes, v4_mapped(127, 0, 0, 1, 8080).bytes);
  EXPECT_EQ(as_v4_mapped(v4(127, 0, 0, 1, 8080)).port, 8080);
  EXPECT_EQ(without_v4_mapping(v4_mapped(10, 0, 2, 15, 22)).size, 4u);
  EXPECT_EQ(without_v4_mapping(v4_mapped(10, 0, 2, 15, 22)).bytes, v4(10, 0, 2, 15, 22).bytes);
  EXPECT_EQ(without_v4_mapping(v4_mapped(10, 0, 2, 15, 22)).port, 22);
  // Plain IPv6 stays as it is either way.
  EXPECT_EQ(as_v4_mapped(v6_loopback(1)).bytes, v6_loopback(1).bytes);
  EXPECT_EQ(without_v4_mapping(v6_loopback(1)).size, 16u);
}

TEST(ProcNetTcp, EqualityIgnoresBytesPastTheSize) {
  TcpAddress dirty = v4(127, 0, 0, 1, 8080);
  dirty.bytes[4] = 0xAA;
  EXPECT_EQ(dirty, v4(127, 0, 0, 1, 8080));
  EXPECT_EQ(dirty, v4_mapped(127, 0, 0, 1, 8080));
}

TEST(ProcNetTcp, FindsAV4MappedConnectingSocketByItsIpv4Addresses) {
  // Our accepted socket (AF_INET) sees the peer as 127.0.0.1:53924; the peer's own socket is in
  // the tcp6 table with v4-mapped addresses.
  EXPECT_EQ(find_tcp_socket_owner(kTcp6, v4(127, 0, 0, 1, 53924), v4(127, 0, 0, 1, 8080)), 1000u);
  EXPECT_EQ(find_tcp_socket_owner(kTcp6, v4(10, 0, 2, 15, 22), v4(10, 0, 2, 2, 50000)), 1001u);
  // The mapped form finds it too, and plain IPv6 lines still match only IPv6 addresses.
  EXPECT_EQ(
      find_tcp_socket_owner(kTcp6, v4_mapped(127, 0, 0, 1, 53924), v4_mapped(127, 0, 0, 1, 8080)),
      1000u);
  EXPECT_EQ(find_tcp_socket_owner(kTcp6, v6_loopback(0xA000), v6_loopback(8080)), 1002u);
  EXPECT_FALSE(find_tcp_socket_owner(kTcp6, v4(127, 0, 0, 1, 8080), v4(127, 0, 0, 1, 53924)));
  EXPECT_FALSE(find_tcp_socket_owner(kTcp6, v4(127, 0, 0, 1, 53925), v4(127, 0, 0, 1, 8080)));
}

}  // namespace
}  // namespace bqb
