#include "daemon/io/socket_owner.h"

#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/core/proc_net_tcp.h"
#include "daemon/io/unique_fd.h"

namespace bqb {
namespace {

using boost::asio::ip::tcp;

// An endpoint as the kernel's tables hold it; a v4-mapped IPv6 address is its IPv4 address.
struct KernelAddress {
  int family = AF_INET;
  TcpAddress address;
};

KernelAddress kernel_address(const tcp::endpoint& e) {
  KernelAddress k;
  k.address.port = e.port();
  auto a = e.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  if (a.is_v4()) {
    const auto bytes = a.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), k.address.bytes.begin());
    k.address.size = 4;
    k.family = AF_INET;
  } else {
    const auto bytes = a.to_v6().to_bytes();
    std::copy(bytes.begin(), bytes.end(), k.address.bytes.begin());
    k.address.size = 16;
    k.family = AF_INET6;
  }
  return k;
}

}  // namespace

std::optional<uid_t> tcp_peer_uid_by_sock_diag(const tcp::endpoint& local,
                                               const tcp::endpoint& remote) {
  const auto ours = kernel_address(local);
  const auto theirs = kernel_address(remote);
  if (ours.family != theirs.family) return std::nullopt;

  UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (fd.get() < 0) return std::nullopt;
  // A receive that never ends must not hang the daemon's io thread.
  const timeval timeout{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;  // no NLM_F_DUMP: an exact lookup
  message.header.nlmsg_seq = 1;
  auto& req = message.request;
  req.sdiag_family = static_cast<std::uint8_t>(ours.family);
  req.sdiag_protocol = IPPROTO_TCP;
  req.idiag_states = ~0u;
  // The kernel finds the socket that receives packets sent from `dst` to `src`: the socket whose
  // local address is src (our peer's) and remote address is dst (ours) — the connecting one.
  req.id.idiag_sport = htons(theirs.address.port);
  req.id.idiag_dport = htons(ours.address.port);
  std::memcpy(req.id.idiag_src, theirs.address.bytes.data(), theirs.address.size);
  std::memcpy(req.id.idiag_dst, ours.address.bytes.data(), ours.address.size);
  req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd.get(), &message, sizeof(message), 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof(kernel)) != static_cast<ssize_t>(sizeof(message))) {
    return std::nullopt;
  }
  alignas(nlmsghdr) std::array<char, 8192> buffer;
  const ssize_t n = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
  if (n <= 0) return std::nullopt;
  int left = static_cast<int>(n);
  for (auto* h = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(h, left);
       h = NLMSG_NEXT(h, left)) {
    if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE) return std::nullopt;
    if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) return std::nullopt;
    const auto* msg = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
    // Check the answer really is the socket asked about.
    if (ntohs(msg->id.idiag_sport) != theirs.address.port ||
        ntohs(msg->id.idiag_dport) != ours.address.port ||
        std::memcmp(msg->id.idiag_src, theirs.address.bytes.data(), theirs.address.size) != 0 ||
        std::memcmp(msg->id.idiag_dst, ours.address.bytes.data(), ours.address.size) != 0) {
      return std::nullopt;
    }
    return static_cast<uid_t>(msg->idiag_uid);
  }
  return std::nullopt;
}

std::optional<uid_t> tcp_peer_uid_by_proc(const tcp::endpoint& local, const tcp::endpoint& remote) {
  const auto ours = kernel_address(local);
  const auto theirs = kernel_address(remote);
  if (ours.family != theirs.family) return std::nullopt;
  std::ifstream in(ours.family == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6");
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  auto uid = find_tcp_socket_owner(text.str(), theirs.address, ours.address);
  if (!uid) return std::nullopt;
  return static_cast<uid_t>(*uid);
}

std::optional<uid_t> tcp_peer_uid(const tcp::endpoint& local, const tcp::endpoint& remote) {
  if (auto uid = tcp_peer_uid_by_sock_diag(local, remote)) return uid;
  return tcp_peer_uid_by_proc(local, remote);
}

}  // namespace bqb
