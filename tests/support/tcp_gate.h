#pragma once
// A loopback TCP port in front of another one (the fake Google), for the fault "the endpoint
// refuses connections": open, it forwards every connection both ways, byte for byte; shut, the
// port stays bound but does not listen, so the kernel refuses every connection to it (RST), and
// the connections it was forwarding are cut (a client's pooled keep-alive connection included).

#include <netinet/in.h>

#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace bqb::itest {

class TcpGate {
 public:
  /// Binds a fresh port on 127.0.0.1 in front of 127.0.0.1:`target_port`, open. Throws
  /// std::system_error when it cannot.
  explicit TcpGate(std::uint16_t target_port);
  TcpGate(const TcpGate&) = delete;
  TcpGate& operator=(const TcpGate&) = delete;
  /// Cuts every forwarded connection and joins its threads.
  ~TcpGate();

  std::uint16_t port() const { return port_; }
  /// Refuses new connections from now on and cuts the forwarded ones. Idempotent.
  void shut();
  /// Accepts and forwards again. Idempotent.
  void open();

 private:
  void accept_loop();
  void cut_all_locked();
  int bound_socket() const;

  const std::uint16_t target_port_;
  std::uint16_t port_ = 0;
  int wake_[2] = {-1, -1};  // a byte on wake_[1] makes accept_loop look at its state again
  std::mutex mutex_;
  int listener_ = -1;  // bound; listening only while open_
  bool open_ = false;
  bool stopping_ = false;
  std::vector<int> forwarded_;  // both ends of every forwarded connection, for cut_all_locked
  std::vector<std::thread> pumps_;
  std::thread acceptor_;
};

}  // namespace bqb::itest
