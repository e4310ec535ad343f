// The owner of a loopback TCP connection's other end, through the kernel: both lookups find our
// own uid for a connection we make, and nothing for a 4-tuple no socket has.

#include "daemon/io/socket_owner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

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

TEST(SocketOwner, UnknownFourTupleHasNoOwner) {
  Connected c(asio::ip::address_v4::loopback());
  // Swapped: the accepted socket is ours too, but a port nobody uses matches nothing.
  auto remote = c.accepted.remote_endpoint();
  tcp::endpoint nobody(remote.address(), static_cast<unsigned short>(remote.port() ^ 1));
  EXPECT_FALSE(tcp_peer_uid(c.accepted.local_endpoint(), nobody));
}

}  // namespace
}  // namespace bqb
