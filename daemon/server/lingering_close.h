#pragma once
// Closing a socket that still has unread input makes the kernel send RST, and the peer may then
// lose the response it has not read yet (a 403 sent before reading the request, a 413 sent
// before the body). So: send FIN, read and drop what the peer still sends for a moment, then
// close. The connection server (connection_server.h) does this for every connection it ends.

#include <array>
#include <chrono>
#include <cstddef>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace bqb {

/// Half-closes `stream` (a beast::basic_stream), drains at most `max_drain` bytes for at most
/// `wait`, then closes it.
template <class Stream>
boost::asio::awaitable<void> lingering_close(Stream& stream, std::size_t max_drain,
                                             std::chrono::milliseconds wait) {
  boost::system::error_code ignored;
  stream.socket().shutdown(boost::asio::socket_base::shutdown_send, ignored);
  stream.expires_after(wait);
  std::array<char, 4096> sink;
  std::size_t drained = 0;
  while (drained < max_drain) {
    auto [ec, n] = co_await stream.async_read_some(
        boost::asio::buffer(sink), boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) break;
    drained += n;
  }
  stream.close();
}

}  // namespace bqb
