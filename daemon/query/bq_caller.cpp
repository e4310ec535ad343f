#include "daemon/query/bq_caller.h"

#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/query/bq_response.h"

#include "daemon/base/gcc_coroutine_frames.h"  // silences a GCC 12 false positive

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

awaitable<BqCaller::Step> BqCaller::attempt(std::string_view method, std::string_view target,
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

  Step out;
  if (!response) {
    // Nothing reached BigQuery, or no answer came: safe to send again (same requestId).
    out.action = response.error().code == Errc::upstream_unavailable ? RetryAction::retry
                                                                     : RetryAction::fail;
    // The client's message names host and port only: say which call it was, as answers do.
    Error e = response.error();
    e.message = fmt::format("{}: {}", what, e.message);
    out.result = tl::unexpected(plain(std::move(e)));
    co_return out;
  }
  if (response->status >= 200 && response->status < 300) {
    out.result = std::move(response->body);
    co_return out;
  }
  const bq::BqError e = bq::classify_error(response->status, response->body);
  out.action = e.action;
  out.result = tl::unexpected(from_bq(e, what));
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
  RetryOptions options;
  options.policy = options_.backoff;
  options.random = options_.random ? options_.random : default_random();
  options.on_retry = [what](int attempt, milliseconds delay) {
    spdlog::debug("{} failed (attempt {}); retrying in {} ms", what, attempt, delay.count());
  };
  auto step = [&]() -> awaitable<Step> {
    Step s = co_await attempt(method, target, body, what, timeout);
    if (s.result || s.action == RetryAction::fail) co_return s;
    if (s.action == RetryAction::refresh) {
      // Once per caller: a second 401 means the account's grant no longer works (needs_login).
      if (refreshed_) {
        s.action = RetryAction::fail;
        co_return s;
      }
      refreshed_ = true;
      spdlog::info("{} refused the access token of {} (HTTP 401); getting a new one", what,
                   account_);
      std::optional<Secret> refused = token_;
      auto fetched = co_await fetch_token(std::move(refused));
      if (!fetched) {
        s.result = tl::unexpected(std::move(fetched).error());
        s.action = RetryAction::fail;
      }
      co_return s;
    }
    if (!retry) s.action = RetryAction::fail;
    if (s.action == RetryAction::retry) {
      spdlog::debug("{} failed: {}", what, s.result.error().error.message);
    }
    co_return s;
  };
  auto outcome = co_await retry_loop<std::string, api::QueryError>(options, step);
  if (outcome.last.result) co_return std::move(*outcome.last.result);
  auto failure = std::move(outcome.last.result).error();
  if (outcome.exhausted) {
    failure.error.message += fmt::format(" (gave up after {} attempts)", outcome.attempts);
  }
  co_return tl::unexpected(std::move(failure));
}

}  // namespace bqb
