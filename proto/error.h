#pragma once
// The one error type of bqbroker: an error code plus a message for a person and an optional hint.
// Used as a value (Result<T>) everywhere; exceptions stay at the boundaries (main, coroutine tops).

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace bqb {

/// Every failure bqbroker reports. Each code has one wire name (snake_case, used in the socket
/// API's error envelope) and one HTTP status; both live in one table in error.cpp.
enum class Errc {
  // Request problems (the caller can fix them).
  bad_request,          // malformed HTTP, wrong parameters
  invalid_json,         // a JSON body that does not parse or has the wrong shape
  not_found,            // unknown route or resource
  method_not_allowed,   // known route, wrong method
  header_too_large,     // request header block over the limit
  payload_too_large,    // request body over the limit
  forbidden,            // peer uid is not the daemon's uid, or a refused request
  // Account and auth state.
  needs_login,          // no usable refresh token: run `bqbroker login`
  scope_not_granted,    // asked for a scope the account never granted
  login_denied,         // the user refused consent
  login_timeout,        // the login flow expired
  login_failed,         // the login flow failed for another reason
  // Environment and upstream.
  config_invalid,       // the configuration file is wrong (names the key)
  io_error,             // a local file or socket operation failed
  store_unavailable,    // the secret store cannot be reached or is locked
  upstream_error,       // Google (or a fake) answered with an error
  upstream_unavailable, // Google could not be reached, or timed out
  tls_error,            // TLS verification failed, or plain http to a non-loopback host
  too_many_connections, // the daemon's connection cap is reached
  daemon_unreachable,   // (client side) nothing answers on the socket
  conflict,             // the request conflicts with the current state
  shutting_down,        // the daemon is stopping
  // BigQuery answers (reason and message kept in the message).
  invalid_query,        // invalidQuery: the SQL is wrong (the message holds its [line:column])
  access_denied,        // accessDenied: the account lacks a role or access to the data
  quota_exceeded,       // quotaExceeded: a project quota is used up (not retried)
  rate_limited,         // rateLimitExceeded or HTTP 429, after the retries ran out
  backend_error,        // backendError/internalError or HTTP 5xx, after the retries ran out
  internal,             // a bug: should never be seen
};

struct Error {
  Errc code = Errc::internal;
  std::string message;  // for a person; names the field and the source
  std::string hint;     // what to do next; may be empty

  friend bool operator==(const Error&, const Error&) = default;
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

/// @returns an unexpected Error, for `return fail(Errc::x, "…");` in a function returning Result.
inline tl::unexpected<Error> fail(Errc code, std::string message, std::string hint = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(hint)});
}

/// @returns the wire name of `code`, e.g. "needs_login".
std::string_view to_string(Errc code);
/// @returns the code with wire name `name`, or nullopt for a name this build does not know.
std::optional<Errc> errc_from_string(std::string_view name);
/// @returns the HTTP status the socket API answers with for `code`.
int http_status(Errc code);

}  // namespace bqb

/// Declares `var` as the value of the Result `expr`, or returns its error from the enclosing
/// function (which must return a Result). The google-cloud-cpp ASSIGN_OR_RETURN idiom.
#define BQB_TRY(var, expr)                                                   \
  auto var##_result_ = (expr);                                               \
  if (!var##_result_) return tl::unexpected(std::move(var##_result_).error()); \
  auto var = std::move(*var##_result_)

/// The same for coroutines returning awaitable<Result<…>>.
#define BQB_CO_TRY(var, expr)                                                   \
  auto var##_result_ = (expr);                                                  \
  if (!var##_result_) co_return tl::unexpected(std::move(var##_result_).error()); \
  auto var = std::move(*var##_result_)
