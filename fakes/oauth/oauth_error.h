#pragma once
// An OAuth 2.0 protocol error as Google's endpoints answer it: an HTTP status plus the JSON body
// {"error": …, "error_description": …[, "error_subtype": …]}. The fake's own error type: these are
// answers on the wire, not failures of the fake, so they do not use bqb::Error.

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace bqb::fakes {

struct OAuthError {
  int status = 400;
  std::string error;        // RFC 6749 / Google error code, e.g. "invalid_grant"
  std::string description;  // Google's error_description
  std::string subtype;      // Google's error_subtype (e.g. "invalid_rapt"); empty when none

  friend bool operator==(const OAuthError&, const OAuthError&) = default;
};

template <class T>
using OAuthResult = tl::expected<T, OAuthError>;

/// @returns an unexpected OAuthError, for `return oauth_fail(400, "invalid_grant", "…");`.
inline tl::unexpected<OAuthError> oauth_fail(int status, std::string error,
                                             std::string description) {
  return tl::unexpected<OAuthError>(
      OAuthError{status, std::move(error), std::move(description), {}});
}

}  // namespace bqb::fakes
