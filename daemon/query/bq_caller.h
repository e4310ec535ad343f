#pragma once
// Authenticated requests to BigQuery's REST API v2 for one query (or one cancel), with the
// retry rules of daemon/query/bq_response.h applied:
// - a bearer token from the TokenSource, fetched once and reused for every request;
// - `x-goog-user-project` when a quota project is configured;
// - retryable answers (rateLimitExceeded, backendError, 429/5xx, an unreachable endpoint) are
//   sent again, body unchanged (so jobs.query keeps its requestId), with bounded backoff that
//   honours Retry-After;
// - a 401 makes the token source replace the refused token, once per caller; a second 401 fails
//   (needs_login).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <tl/expected.hpp>

#include "daemon/net/backoff.h"
#include "daemon/net/http_client.h"
#include "daemon/net/retry_loop.h"
#include "daemon/query/bq_response.h"
#include "daemon/tokens/token_source.h"
#include "proto/query_api.h"

namespace bqb {

/// Either a value or a query error (an Error plus BigQuery's reason and SQL position).
template <class T>
using QueryResult = tl::expected<T, api::QueryError>;

struct BqCallerOptions {
  /// "<scheme>://host[:port]/bigquery/v2" (bq::api_root).
  std::string api_root;
  /// Sent as x-goog-user-project: the project billed for quota.
  std::optional<std::string> quota_project;
  BackoffPolicy backoff;
  /// Jitter source in [0, 1); default a PRNG seeded from std::random_device.
  Backoff::Random random;
};

class BqCaller {
 public:
  /// `token_request` names the account (and the caller for the audit line); `http`, `tokens`
  /// and `options` must outlive the caller.
  BqCaller(HttpClient& http, TokenSource& tokens, const BqCallerOptions& options,
           TokenRequest token_request);

  /// Fetches the token now, so that needs_login and friends are known before any request.
  boost::asio::awaitable<QueryResult<void>> authenticate();

  /// Sends `method` to api_root + `target` with `body` (JSON when non-empty), retrying as above
  /// unless `retry` is false. `what` names the call in errors ("BigQuery jobs.query").
  /// `timeout` bounds each attempt. @returns the 2xx body, or the classified error.
  boost::asio::awaitable<QueryResult<std::string>> call(std::string_view method,
                                                        std::string_view target, std::string body,
                                                        std::string_view what,
                                                        std::chrono::milliseconds timeout,
                                                        bool retry = true);

  /// @returns the account the token belongs to; empty before authenticate() succeeded.
  const std::string& account() const { return account_; }

 private:
  /// One request's outcome: the 2xx body, or the failure and what to do about it.
  using Step = RetryStep<std::string, api::QueryError>;
  boost::asio::awaitable<Step> attempt(std::string_view method, std::string_view target,
                                          const std::string& body, std::string_view what,
                                          std::chrono::milliseconds timeout);
  boost::asio::awaitable<QueryResult<void>> fetch_token(std::optional<Secret> refused);

  HttpClient& http_;
  TokenSource& tokens_;
  const BqCallerOptions& options_;
  TokenRequest token_request_;
  std::optional<Secret> token_;
  std::string account_;
  bool refreshed_ = false;
};

}  // namespace bqb
