// The owner of a loopback TCP connection's other end, through the kernel: both lookups find our
// own uid for a connection we make (also from an AF_INET6 socket to a v4-mapped address, as the
// JVM makes them), and nothing for a 4-tuple no socket has.

#include "daemon/server/socket_owner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>

namespace bqb {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Connected {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  tcp::socket client{io};
  tcp::socket accepted{io};

  explicit Connected(const asio::ip::address& address) {
    acceptor.open(address.is_v4() ? tcp::v4() : tcp::v6());
    acceptor.bind(tcp::endpoint(address, 0));
    acceptor.listen();
    client.connect(acceptor.local_endpoint());
    accepted = acceptor.accept();
  }
};

// An AF_INET listener on 127.0.0.1 and a client the kernel holds as AF_INET6 (in /proc/net/tcp6,
// inet_diag family AF_INET6), connected to ::ffff:127.0.0.1: what a JVM or .NET client makes.
struct MappedConnected {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  tcp::socket client{io};
  tcp::socket accepted{io};
  std::string error;  // why the IPv6 client could not connect; "" when it did

  MappedConnected() {
    acceptor.open(tcp::v4());
    acceptor.bind(tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    acceptor.listen();
    const auto mapped =
        asio::ip::make_address_v6(asio::ip::v4_mapped, asio::ip::address_v4::loopback());
    boost::system::error_code ec;
    client.open(tcp::v6(), ec);
    if (!ec) client.set_option(asio::ip::v6_only(false), ec);
    if (!ec) client.connect(tcp::endpoint(mapped, acceptor.local_endpoint().port()), ec);
    if (ec) {
      error = "IPv6 is required: an AF_INET6 socket connecting to ::ffff:127.0.0.1 failed: " +
              ec.message();
      return;
    }
    accepted = acceptor.accept();
  }
};

TEST(SocketOwner, SockDiagFindsTheConnectingSocketsUid) {
  Connected c(asio::ip::address_v4::loopback());
  EXPECT_EQ(tcp_peer_uid_by_sock_diag(c.accepted.local_endpoint(), c.accepted.remote_endpoint()),
            ::getuid());
}

TEST(SocketOwner, ProcNetTcpFindsTheConnectingSocketsUid) {
  Connected c(asio::ip::address_v4::loopback());
  EXPECT_EQ(tcp_peer_uid_by_proc(c.accepted.local_endpoint(), c.accepted.remote_endpoint()),
            ::getuid());
}

TEST(SocketOwner, WorksOnIpv6Loopback) {
  Connected c(asio::ip::address_v6::loopback());
  const auto local = c.accepted.local_endpoint();
  const auto remote = c.accepted.remote_endpoint();
  EXPECT_EQ(tcp_peer_uid_by_sock_diag(local, remote), ::getuid());
  EXPECT_EQ(tcp_peer_uid_by_proc(local, remote), ::getuid());
}

TEST(SocketOwner, SockDiagFindsAnIpv6SocketConnectedToAV4MappedAddress) {
  MappedConnected c;
  ASSERT_EQ(c.error, "");
  ASSERT_TRUE(c.client.local_endpoint().address().is_v6());
  // Our side sees plain IPv4 endpoints; the peer's socket is AF_INET6.
  ASSERT_TRUE(c.accepted.remote_endpoint().address().is_v4());
  EXPECT_EQ(tcp_peer_uid_by_sock_diag(c.accepted.local_endpoint(), c.accepted.remote_endpoint()),
            ::getuid());
}

TEST(SocketOwner, ProcNetTcp6FindsAnIpv6SocketConnectedToAV4MappedAddress) {
  MappedConnected c;
  ASSERT_EQ(c.error, "");
  ASSERT_TRUE(c.client.local_endpoint().address().is_v6());
  ASSERT_TRUE(c.accepted.remote_endpoint().address().is_v4());
  EXPECT_EQ(tcp_peer_uid_by_proc(c.accepted.local_endpoint(), c.accepted.remote_endpoint()),
            ::getuid());
  EXPECT_EQ(tcp_peer_uid(c.accepted.local_endpoint(), c.accepted.remote_endpoint()), ::getuid());
}

TEST(SocketOwner, UnknownFourTupleHasNoOwner) {
  Connected c(asio::ip::address_v4::loopback());
  // Swapped: the accepted socket is ours too, but a port nobody uses matches nothing.
  auto remote = c.accepted.remote_endpoint();
  tcp::endpoint nobody(remote.address(), static_cast<unsigned short>(remote.port() ^ 1));
  EXPECT_FALSE(tcp_peer_uid(c.accepted.local_endpoint(), nobody));
}

}  // namespace
}  // namespace bqb
