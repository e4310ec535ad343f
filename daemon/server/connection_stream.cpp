#include "daemon/server/connection_stream.h"

#include <sys/socket.h>

#include <cerrno>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

namespace bqb::http {
namespace {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

// Shared by the stream and the watching coroutine, which may complete after the stream is gone.
struct ConnectionStream::Watch {
  explicit Watch(const asio::any_io_executor& ex) : done_signal(ex) {
    done_signal.expires_at(asio::steady_timer::time_point::max());
  }
  bool gone = false;  // the client closed (or reset) the connection
  bool done = false;  // the watching coroutine has finished
  asio::steady_timer done_signal;
};

ConnectionStream::ConnectionStream(UnixStream& stream, const bool& server_stopping,
                                   std::chrono::seconds write_timeout, bool keep_alive)
    : stream_(stream),
      server_stopping_(server_stopping),
      write_timeout_(write_timeout),
      keep_alive_(keep_alive) {}

ConnectionStream::~ConnectionStream() {
  // finish() normally ended the watch; if it did not, the socket's cancel ends it, and the
  // coroutine touches nothing but its own Watch afterwards.
  if (watch_ && !watch_->done) {
    boost::system::error_code ignored;
    stream_.socket().cancel(ignored);
  }
}

void ConnectionStream::arm_write_deadline() {
  if (server_stopping_) {
    stream_.expires_after(write_timeout_);
  } else {
    stream_.expires_never();
  }
}

asio::awaitable<bool> ConnectionStream::respond(Response response) {
  if (state_ == State::streaming) state_ = State::failed;  // cut short: see http_types.h
  if (state_ != State::idle) co_return false;
  response.keep_alive(keep_alive_ && !server_stopping_);
  status_ = response.result_int();
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await boost::beast::http::async_write(stream_, response, kTuple);
  stream_.expires_never();
  if (ec) spdlog::debug("writing a response failed: {}", ec.message());
  state_ = ec ? State::failed : State::responded;
  co_return !ec;
}

asio::awaitable<bool> ConnectionStream::begin(int status, std::string_view content_type) {
  if (state_ != State::idle) co_return false;
  namespace bh = boost::beast::http;
  bh::response<bh::empty_body> header{static_cast<bh::status>(status), 11};
  header.set(bh::field::content_type, content_type);
  header.set(bh::field::cache_control, "no-store");
  header.keep_alive(keep_alive_ && !server_stopping_);
  header.chunked(true);
  bh::response_serializer<bh::empty_body> serializer{header};
  status_ = status;
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await bh::async_write_header(stream_, serializer, kTuple);
  stream_.expires_never();
  if (ec) spdlog::debug("writing a stream's header failed: {}", ec.message());
  state_ = ec ? State::failed : State::streaming;
  co_return !ec;
}

asio::awaitable<bool> ConnectionStream::write(std::string data) {
  if (state_ != State::streaming || (watch_ && watch_->gone)) co_return false;
  if (data.empty()) co_return true;  // an empty chunk would end the body
  arm_write_deadline();
  // Named, not a temporary in the co_await expression: g++ 12 destroys those twice.
  auto chunk = boost::beast::http::make_chunk(asio::buffer(data));
  auto [ec, n] = co_await asio::async_write(stream_, chunk, kTuple);
  stream_.expires_never();
  if (ec) {
    spdlog::debug("writing a stream's chunk failed: {}", ec.message());
    state_ = State::failed;
  }
  co_return !ec;
}

bool ConnectionStream::cancelled() const {
  return server_stopping_ || state_ == State::failed || (watch_ && watch_->gone);
}

void ConnectionStream::watch_client() {
  if (watch_) return;
  watch_ = std::make_shared<Watch>(stream_.get_executor());
  asio::co_spawn(stream_.get_executor(), watch_socket(stream_.socket(), watch_),
                 [w = watch_](std::exception_ptr) {
                   w->done = true;
                   w->done_signal.cancel();
                 });
}

asio::awaitable<bool> ConnectionStream::finish() {
  if (state_ == State::idle) {
    auto res = error_response(Error{Errc::internal, "the daemon's handler ended without an answer",
                                    "this is a bug; the daemon's log has the details"});
    co_await respond(std::move(res));
  }
  if (state_ == State::streaming) {
    stream_.expires_after(write_timeout_);
    auto last = boost::beast::http::make_chunk_last();
    auto [ec, n] = co_await asio::async_write(stream_, last, kTuple);
    stream_.expires_never();
    if (ec) state_ = State::failed;
  }
  if (watch_ && !watch_->done) {
    boost::system::error_code ignored;
    stream_.socket().cancel(ignored);
    while (!watch_->done) co_await watch_->done_signal.async_wait(kTuple);
  }
  co_return state_ != State::failed&& keep_alive_ && !server_stopping_ && !(watch_ && watch_->gone);
}

// The client sends nothing while its request is answered, so readable means EOF or reset (gone);
// bytes mean a pipelined request, which is not a disconnect: the watch ends without a verdict
// and the next request is read as usual.
asio::awaitable<void> ConnectionStream::watch_socket(UnixStream::socket_type& socket,
                                                     std::shared_ptr<Watch> watch) {
  auto [ec] = co_await socket.async_wait(UnixStream::socket_type::wait_read, kTuple);
  if (ec) co_return;  // cancelled: the answer is complete
  char byte = 0;
  auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    watch->gone = true;
  }
}

}  // namespace bqb::http
