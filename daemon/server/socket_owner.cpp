#include "daemon/server/socket_owner.h"

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

#include "daemon/server/proc_net_tcp.h"
#include "proto/unique_fd.h"

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

// Asks inet_diag for the one socket whose local address is `src` and remote address is `dst`
// (both in `family`'s form). The kernel finds the socket that receives packets sent from `dst`
// to `src`. @returns false when the request could not be sent.
bool send_inet_diag_request(int fd, int family, const TcpAddress& src, const TcpAddress& dst) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;  // no NLM_F_DUMP: an exact lookup
  message.header.nlmsg_seq = 1;
  auto& req = message.request;
  req.sdiag_family = static_cast<std::uint8_t>(family);
  req.sdiag_protocol = IPPROTO_TCP;
  req.idiag_states = ~0u;
  req.id.idiag_sport = htons(src.port);
  req.id.idiag_dport = htons(dst.port);
  std::memcpy(req.id.idiag_src, src.bytes.data(), src.size);
  std::memcpy(req.id.idiag_dst, dst.bytes.data(), dst.size);
  req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  return ::sendto(fd, &message, sizeof(message), 0, reinterpret_cast<sockaddr*>(&kernel),
                  sizeof(kernel)) == static_cast<ssize_t>(sizeof(message));
}

// An inet_diag answer's address, in the answering socket's own family: a request in AF_INET can
// be answered by an AF_INET6 socket holding v4-mapped addresses, which fills all 16 bytes.
std::optional<TcpAddress> answered_address(const inet_diag_msg& msg, const __be32 (&words)[4],
                                           __be16 port) {
  TcpAddress a;
  if (msg.idiag_family == AF_INET) {
    a.size = 4;
  } else if (msg.idiag_family == AF_INET6) {
    a.size = 16;
  } else {
    return std::nullopt;
  }
  std::memcpy(a.bytes.data(), words, a.size);
  a.port = ntohs(port);
  return a;
}

// @returns the owner's uid from the answer to send_inet_diag_request(fd, …, src, dst); nullopt
// when the kernel has no such socket, answers about another one, or does not answer within the
// socket's receive timeout.
std::optional<uid_t> read_inet_diag_answer(int fd, const TcpAddress& src, const TcpAddress& dst) {
  alignas(nlmsghdr) std::array<char, 8192> buffer;
  const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
  if (n <= 0) return std::nullopt;
  int left = static_cast<int>(n);
  for (auto* h = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(h, left);
       h = NLMSG_NEXT(h, left)) {
    if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE) return std::nullopt;
    if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) return std::nullopt;
    const auto* msg = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
    // Check the answer really is the socket asked about (TcpAddress's == equates a v4-mapped
    // address with its IPv4 one).
    const auto answered_src = answered_address(*msg, msg->id.idiag_src, msg->id.idiag_sport);
    const auto answered_dst = answered_address(*msg, msg->id.idiag_dst, msg->id.idiag_dport);
    if (!answered_src || !answered_dst || *answered_src != src || *answered_dst != dst) {
      return std::nullopt;
    }
    return static_cast<uid_t>(msg->idiag_uid);
  }
  return std::nullopt;
}

std::optional<uid_t> ask_inet_diag(int family, const TcpAddress& src, const TcpAddress& dst) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (fd.get() < 0) return std::nullopt;
  // A receive that never ends must not hold a thread forever.
  const timeval timeout{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (!send_inet_diag_request(fd.get(), family, src, dst)) return std::nullopt;
  return read_inet_diag_answer(fd.get(), src, dst);
}

// @returns the owner of the socket with local address `src` and remote address `dst` listed in
// `path` (/proc/net/tcp or tcp6); nullopt when it is not listed or the file cannot be read.
std::optional<uid_t> owner_in(const char* path, const TcpAddress& src, const TcpAddress& dst) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  auto uid = find_tcp_socket_owner(text.str(), src, dst);
  if (!uid) return std::nullopt;
  return static_cast<uid_t>(*uid);
}

}  // namespace

std::optional<uid_t> tcp_peer_uid_by_sock_diag(const tcp::endpoint& local,
                                               const tcp::endpoint& remote) {
  const auto ours = kernel_address(local);
  const auto theirs = kernel_address(remote);
  if (ours.family != theirs.family) return std::nullopt;
  // The connecting socket: local address = our peer's, remote address = ours. When it is an
  // AF_INET6 socket connected to our IPv4 address (a JVM's), Linux finds it through an AF_INET
  // request too (seen on 6.18: inet_diag_find_one_icsk looks IPv4 4-tuples up in the table both
  // families share) and answers with family AF_INET6 and 16-byte v4-mapped addresses, which
  // read_inet_diag_answer accepts. The AF_INET6 request with mapped addresses is for a kernel
  // that does not; it costs a round trip only when the first found nothing.
  if (auto uid = ask_inet_diag(ours.family, theirs.address, ours.address)) return uid;
  if (ours.family != AF_INET) return std::nullopt;
  return ask_inet_diag(AF_INET6, as_v4_mapped(theirs.address), as_v4_mapped(ours.address));
}

std::optional<uid_t> tcp_peer_uid_by_proc(const tcp::endpoint& local, const tcp::endpoint& remote) {
  const auto ours = kernel_address(local);
  const auto theirs = kernel_address(remote);
  if (ours.family != theirs.family) return std::nullopt;
  // An IPv4 connection's peer socket is in /proc/net/tcp when AF_INET, in /proc/net/tcp6 with
  // v4-mapped addresses when AF_INET6 (a JVM's); an IPv6 one is only in /proc/net/tcp6.
  if (ours.family == AF_INET) {
    if (auto uid = owner_in("/proc/net/tcp", theirs.address, ours.address)) return uid;
  }
  return owner_in("/proc/net/tcp6", theirs.address, ours.address);
}

std::optional<uid_t> tcp_peer_uid(const tcp::endpoint& local, const tcp::endpoint& remote) {
  if (auto uid = tcp_peer_uid_by_sock_diag(local, remote)) return uid;
  return tcp_peer_uid_by_proc(local, remote);
}

}  // namespace bqb
