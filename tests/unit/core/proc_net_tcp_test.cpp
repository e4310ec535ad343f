// Parsing /proc/net/tcp(6) lines into addresses and the owning uid. The sample lines are what a
// little-endian Linux prints (every machine bqbroker targets); the address words are host order.

#include "daemon/core/proc_net_tcp.h"

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

}  // namespace
}  // namespace bqb
