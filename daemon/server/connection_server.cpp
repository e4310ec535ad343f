#include "daemon/server/connection_server.h"

#include <algorithm>
#include <exception>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>

#include "daemon/base/foreign_text.h"
#include "daemon/base/spawn_logged.h"
#include "daemon/server/lingering_close.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string exception_text(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return sanitize_foreign_text(e.what());
  } catch (...) {
    return "an unknown exception";
  }
}

}  // namespace

// Holds one connection's place in the registry for exactly as long as it exists.
template <class Protocol>
class ConnectionServer<Protocol>::Slot {
 public:
  Slot(ConnectionServer& server, Stream& stream)
      : server_(server),
        it_(server.connections_.insert(server.connections_.end(),
                                       Connection{stream, false, false})) {}
  ~Slot() { server_.release(it_); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  Connection& connection() { return *it_; }

 private:
  ConnectionServer& server_;
  typename std::list<Connection>::iterator it_;
};

template <class Protocol>
ConnectionServer<Protocol>::ConnectionServer(Acceptor acceptor, ConnectionServerOptions options,
                                             Session session, OverCapacity over_capacity)
    : acceptor_(std::move(acceptor)),
      options_(std::move(options)),
      session_(std::move(session)),
      over_capacity_(std::move(over_capacity)),
      accept_pause_(acceptor_.get_executor()),
      slot_freed_(acceptor_.get_executor()) {}

template <class Protocol>
void ConnectionServer<Protocol>::start(std::shared_ptr<const void> keep_alive) {
  spawn_logged(acceptor_.get_executor(), accept_loop(std::move(keep_alive)),
               options_.name + ": the accept loop");
}

template <class Protocol>
asio::awaitable<void> ConnectionServer<Protocol>::accept_loop(
    std::shared_ptr<const void> keep_alive) {
  auto self = this->shared_from_this();
  std::chrono::milliseconds pause{0};  // nonzero while accept() keeps failing
  while (!stopping_) {
    if (!over_capacity_ && connections_.size() >= options_.max_connections) {
      // Not accepted yet: the next connection waits in the backlog until a slot is free.
      slot_freed_.expires_at(asio::steady_timer::time_point::max());
      co_await slot_freed_.async_wait(kTuple);
      continue;
    }
    auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      // EMFILE and friends: keep serving the connections we have, which will close, and pause
      // rather than retry at once (it would fail at once: 100% CPU and a flood of log lines).
      ++accept_failures_;
      if (pause.count() == 0) {
        spdlog::warn(
            "{}: accept failed: {}; pausing new connections (up to {} ms between tries) "
            "until it succeeds",
            options_.name, ec.message(), options_.accept_pause_max.count());
      }
      pause = pause.count() == 0 ? options_.accept_pause_min
                                 : std::min(pause * 2, options_.accept_pause_max);
      accept_pause_.expires_after(pause);
      co_await accept_pause_.async_wait(kTuple);
      continue;
    }
    if (pause.count() != 0) {
      spdlog::info("{}: accepting connections again", options_.name);
      pause = std::chrono::milliseconds(0);
    }
    if (connections_.size() < options_.max_connections) {
      spawn_logged(acceptor_.get_executor(), serve(std::move(socket), keep_alive),
                   options_.name + ": a connection");
    } else if (refusing_ < options_.max_connections) {
      spdlog::warn("{}: {} connections open, the limit; answering a new one with 503",
                   options_.name, connections_.size());
      spawn_logged(acceptor_.get_executor(), refuse(std::move(socket), keep_alive),
                   options_.name + ": refusing a connection");
    } else {
      spdlog::debug("{}: over the limit and already refusing {}; closing a new connection",
                    options_.name, refusing_);
    }
  }
}

template <class Protocol>
asio::awaitable<void> ConnectionServer<Protocol>::serve(Socket socket,
                                                        std::shared_ptr<const void> keep_alive) {
  auto self = this->shared_from_this();
  Stream stream(std::move(socket));
  Slot slot(*this, stream);
  std::exception_ptr failure;
  try {
    co_await session_(slot.connection());
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    spdlog::error("{}: closing a connection whose handler failed: {}", options_.name,
                  exception_text(failure));
  }
  slot.connection().busy = false;
  // Still holding the slot: a connection counts until its socket is closed.
  if (slot.connection().close_at_once) {
    stream.close();
  } else {
    co_await lingering_close(stream, options_.linger_bytes, options_.linger);
  }
  (void)keep_alive;
}

template <class Protocol>
asio::awaitable<void> ConnectionServer<Protocol>::refuse(Socket socket,
                                                         std::shared_ptr<const void> keep_alive) {
  auto self = this->shared_from_this();
  ++refusing_;
  struct Done {
    std::size_t& n;
    ~Done() { --n; }
  } done{refusing_};
  Stream stream(std::move(socket));
  auto response = over_capacity_();
  response.keep_alive(false);
  co_await write(stream, response);
  co_await lingering_close(stream, options_.linger_bytes, options_.linger);
  (void)keep_alive;
}

template <class Protocol>
asio::awaitable<bool> ConnectionServer<Protocol>::write(Stream& stream, Response& response) const {
  stream.expires_after(options_.write_timeout);
  auto [ec, n] = co_await boost::beast::http::async_write(stream, response, kTuple);
  stream.expires_never();
  if (ec) spdlog::debug("{}: writing a response failed: {}", options_.name, ec.message());
  co_return !ec;
}

template <class Protocol>
void ConnectionServer<Protocol>::stop(std::function<void()> on_drained) {
  stopping_ = true;
  on_drained_ = std::move(on_drained);
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_.cancel();
  slot_freed_.cancel();
  for (auto& c : connections_) {
    if (!c.busy) c.stream.socket().cancel(ignored);
  }
  if (connections_.empty() && on_drained_) std::exchange(on_drained_, nullptr)();
}

template <class Protocol>
void ConnectionServer<Protocol>::release(typename std::list<Connection>::iterator it) {
  connections_.erase(it);
  slot_freed_.cancel();
  if (stopping_ && connections_.empty() && on_drained_) std::exchange(on_drained_, nullptr)();
}

template class ConnectionServer<asio::local::stream_protocol>;
template class ConnectionServer<asio::ip::tcp>;

}  // namespace bqb
