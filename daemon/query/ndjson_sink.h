#pragma once
// The writing side of a streamed NDJSON answer: lines are collected into chunks of about
// `batch_bytes` and written to a ResponseStream, which begins the chunked 200 response on the
// first write. An error before that is answered as a whole JSON error response instead; after
// it, as one more line.

#include <cstddef>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "daemon/server/http_types.h"
#include "proto/query_api.h"

namespace bqb {

class NdjsonSink {
 public:
  NdjsonSink(http::ResponseStream& out, std::size_t batch_bytes);

  /// Adds `line` (newline included); writes the collected lines once they reach batch_bytes.
  /// @returns false when the client is gone.
  boost::asio::awaitable<bool> add(std::string line);
  /// Writes what is collected (beginning the response if needed). @returns false when the client
  /// is gone.
  boost::asio::awaitable<bool> flush();
  /// Answers `e`: the JSON error response with its code's status when nothing was begun (what is
  /// collected is dropped), else an `error` line after what is collected.
  boost::asio::awaitable<void> fail(const api::QueryError& e);

  /// @returns true once the chunked response has begun.
  bool begun() const { return begun_; }
  /// @returns true once a begin or write failed (the client is gone).
  bool gone() const { return gone_; }

 private:
  http::ResponseStream& out_;
  std::size_t batch_bytes_;
  std::string pending_;
  bool begun_ = false;
  bool gone_ = false;
};

}  // namespace bqb
