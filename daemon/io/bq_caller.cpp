#include "daemon/io/bq_caller.h"

#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/core/bq_response.h"

#include "daemon/io/gcc_coroutine_frames.h"  // silences a GCC 12 false positive

namespace bqb {

namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

api::QueryError plain(Error e) {
  return api::QueryError{std::move(e), "", std::nullopt, std::nullopt};
}

api::QueryError from_bq(const bq::BqError& e, std::string_view what) {
  return api::QueryError{bq::bq_error_to_error(e, what), e.reason, e.line, e.column};
}

Backoff::Random default_random() {
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
}

}  // namespace

BqCaller::BqCaller(HttpClient& http, TokenSource& tokens, const BqCallerOptions& options,
                   TokenRequest token_request)
    : http_(http), tokens_(tokens), options_(options), token_request_(std::move(token_request)) {}

awaitable<QueryResult<void>> BqCaller::authenticate() {
  if (token_) co_return QueryResult<void>{};
  std::optional<Secret> none;
  auto fetched = co_await fetch_token(std::move(none));
  co_return fetched;
}

awaitable<QueryResult<void>> BqCaller::fetch_token(std::optional<Secret> refused) {
  TokenRequest request = token_request_;
  request.refused_token = std::move(refused);
  auto issued = co_await tokens_.token(std::move(request));
  if (!issued) co_return tl::unexpected(plain(issued.error()));
  token_ = issued->access_token;
  account_ = issued->account;
  co_return QueryResult<void>{};
}

awaitable<BqCaller::Attempt> BqCaller::attempt(std::string_view method, std::string_view target,
                                               const std::string& body, std::string_view what,
                                               milliseconds timeout) {
  HttpRequest request;
  request.method = std::string(method);
  request.url = options_.api_root + std::string(target);
  request.headers.emplace_back("Authorization", "Bearer " + token_->reveal());
  if (options_.quota_project) {
    request.headers.emplace_back("x-goog-user-project", *options_.quota_project);
  }
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  request.body = body;
  request.timeout = timeout;
  auto response = co_await http_.send(std::move(request));

  Attempt out;
  if (!response) {
    // Nothing reached BigQuery, or no answer came: safe to send again (same requestId).
    out.action = response.error().code == Errc::upstream_unavailable ? bq::BqErrorAction::retry
                                                                     : bq::BqErrorAction::fail;
    out.failure = plain(response.error());
    co_return out;
  }
  if (response->status >= 200 && response->status < 300) {
    out.body = std::move(response->body);
    co_return out;
  }
  const bq::BqError e = bq::classify_error(response->status, response->body);
  out.action = e.action;
  out.failure = from_bq(e, what);
  if (auto value = response->header("Retry-After")) {
    if (auto wait = parse_retry_after(*value, std::chrono::system_clock::now())) {
      out.retry_after = std::chrono::duration_cast<milliseconds>(*wait);
    }
  }
  co_return out;
}

awaitable<QueryResult<std::string>> BqCaller::call(std::string_view method, std::string_view target,
                                                   std::string body, std::string_view what,
                                                   milliseconds timeout, bool retry) {
  auto authenticated = co_await authenticate();
  if (!authenticated) co_return tl::unexpected(std::move(authenticated).error());
  Backoff backoff(options_.backoff, options_.random ? options_.random : default_random());
  const auto first_attempt = steady_clock::now();
  for (;;) {
    Attempt a = co_await attempt(method, target, body, what, timeout);
    if (a.body) co_return std::move(*a.body);
    if (a.action == bq::BqErrorAction::refresh && !refreshed_) {
      refreshed_ = true;
      spdlog::info("{} refused the access token of {} (HTTP 401); getting a new one", what,
                   account_);
      std::optional<Secret> refused = token_;
      auto fetched = co_await fetch_token(std::move(refused));
      if (!fetched) co_return tl::unexpected(std::move(fetched).error());
      continue;
    }
    if (a.action != bq::BqErrorAction::retry || !retry) {
      co_return tl::unexpected(std::move(a.failure));
    }
    const auto elapsed =
        std::chrono::duration_cast<milliseconds>(steady_clock::now() - first_attempt);
    const auto delay = backoff.next_delay(elapsed, a.retry_after);
    if (!delay) {
      a.failure.error.message += fmt::format(" (gave up after {} attempts)", backoff.failures());
      co_return tl::unexpected(std::move(a.failure));
    }
    spdlog::debug("{} failed ({}); retrying in {} ms", what, a.failure.error.message,
                  delay->count());
    asio::steady_timer timer(co_await asio::this_coro::executor, *delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace bqb
