#include "daemon/query/ndjson_sink.h"

#include <nlohmann/json.hpp>

// Every co_await here is a statement of its own, its operand free of temporaries: GCC 12
// destroys temporaries of a co_await inside a condition or `||` twice (seen as heap corruption).

namespace bqb {

namespace asio = boost::asio;
using asio::awaitable;

NdjsonSink::NdjsonSink(http::ResponseStream& out, std::size_t batch_bytes)
    : out_(out), batch_bytes_(batch_bytes) {}

awaitable<bool> NdjsonSink::add(std::string line) {
  if (gone_) co_return false;
  pending_ += line;
  if (pending_.size() < batch_bytes_) co_return true;
  const bool flushed = co_await flush();
  co_return flushed;
}

awaitable<bool> NdjsonSink::flush() {
  if (gone_) co_return false;
  if (!begun_) {
    begun_ = true;
    const bool begun = co_await out_.begin(200, "application/x-ndjson");
    if (!begun) {
      gone_ = true;
      co_return false;
    }
  }
  if (pending_.empty()) co_return true;
  std::string chunk;
  chunk.swap(pending_);
  const bool written = co_await out_.write(std::move(chunk));
  if (!written) gone_ = true;
  co_return !gone_;
}

awaitable<void> NdjsonSink::fail(const api::QueryError& e) {
  if (gone_) co_return;
  if (!begun_) {
    pending_.clear();
    begun_ = true;  // answered: nothing else may follow
    http::Response response =
        http::json_response(http_status(e.error.code), api::query_error_body(e));
    const bool sent = co_await out_.respond(std::move(response));
    if (!sent) gone_ = true;
    co_return;
  }
  pending_ += api::error_line(e);
  co_await flush();
}

}  // namespace bqb
