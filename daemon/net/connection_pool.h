#pragma once
// Idle keep-alive connections per origin ("https://host:port"), for reuse by later requests.
//
// A request takes a connection out of the pool for its whole exchange and puts it back when the
// response left it reusable, so no two coroutines ever share one. All calls are synchronous and
// must come from the pool's io_context thread: nothing is held across a co_await.
//
// `Conn` needs `bool looks_alive()` (no EOF or stray data pending) and `void close()`.

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace bqb {

template <class Conn>
class ConnectionPool : public std::enable_shared_from_this<ConnectionPool<Conn>> {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectionPool(boost::asio::any_io_executor executor, Clock::duration idle_timeout,
                 std::size_t max_idle_per_origin)
      : timer_(executor), idle_timeout_(idle_timeout), max_per_origin_(max_idle_per_origin) {}

  ~ConnectionPool() {
    for (auto& [origin, list] : idle_) {
      for (auto& idle : list) idle.conn->close();
    }
  }

  /// @returns the most recently used idle connection to `origin` that still looks alive, or
  /// nullptr. Dead or expired ones met on the way are closed.
  std::unique_ptr<Conn> take(const std::string& origin) {
    auto it = idle_.find(origin);
    if (it == idle_.end()) return nullptr;
    std::unique_ptr<Conn> found;
    auto now = Clock::now();
    while (!found && !it->second.empty()) {
      Idle idle = std::move(it->second.back());
      it->second.pop_back();
      if (now - idle.since < idle_timeout_ && idle.conn->looks_alive()) {
        found = std::move(idle.conn);
      } else {
        idle.conn->close();
      }
    }
    if (it->second.empty()) idle_.erase(it);
    return found;
  }

  /// Keeps `conn` for reuse; closes the oldest idle connection to `origin` beyond the cap.
  void put(const std::string& origin, std::unique_ptr<Conn> conn) {
    auto& list = idle_[origin];
    list.push_back(Idle{std::move(conn), Clock::now()});
    while (list.size() > max_per_origin_) {
      list.front().conn->close();
      list.pop_front();
    }
    arm_sweep();
  }

 private:
  struct Idle {
    std::unique_ptr<Conn> conn;
    Clock::time_point since;
  };

  // Closes connections idle for longer than the timeout; re-arms while any remain, so an idle
  // daemon holds no sockets open after the timeout (and no timer once the pool is empty).
  void sweep() {
    auto now = Clock::now();
    for (auto it = idle_.begin(); it != idle_.end();) {
      auto& list = it->second;
      while (!list.empty() && now - list.front().since >= idle_timeout_) {
        list.front().conn->close();
        list.pop_front();
      }
      it = list.empty() ? idle_.erase(it) : std::next(it);
    }
    if (!idle_.empty()) arm_sweep();
  }

  void arm_sweep() {
    if (sweep_armed_) return;
    sweep_armed_ = true;
    timer_.expires_after(idle_timeout_ / 2);
    timer_.async_wait([weak = this->weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self) return;
      self->sweep_armed_ = false;
      if (!ec) self->sweep();
    });
  }

  std::map<std::string, std::deque<Idle>> idle_;
  boost::asio::steady_timer timer_;
  Clock::duration idle_timeout_;
  std::size_t max_per_origin_;
  bool sweep_armed_ = false;
};

}  // namespace bqb
