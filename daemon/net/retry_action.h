#pragma once
// What to do about a failed call to Google (the token endpoint, BigQuery): the one vocabulary
// that the classifiers (oauth::classify_token_error's users, bq::classify_error) answer in and
// the one retry loop (daemon/net/retry_loop.h) acts on.

namespace bqb {

enum class RetryAction {
  fail,     // permanent for this call: report it
  retry,    // transient: send again after a backoff delay (Retry-After honoured)
  refresh,  // the access token was refused (HTTP 401): renew it, then send again at once
  relogin,  // the grant itself was refused (invalid_grant, …): the account needs a new login
};

}  // namespace bqb
