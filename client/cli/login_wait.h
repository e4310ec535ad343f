#pragma once
// Waiting for a started login flow to end: the daemon's loopback listener may receive the
// browser's redirect, or the user may paste the redirect address on the terminal — whichever
// comes first. Ctrl-C cancels the flow at the daemon.

#include <chrono>
#include <iosfwd>

#include "client/lib/daemon_client.h"
#include "proto/error.h"
#include "proto/login_api.h"

namespace bqb::cli {

struct LoginWaitOptions {
  /// Where pasted redirect addresses are read from, one per line; -1: read nothing.
  int paste_fd = -1;
  /// How long to wait at most; the daemon fails the flow itself at its expires_in.
  std::chrono::seconds timeout{300};
};

struct LoginWaitResult {
  bool interrupted = false;  // SIGINT arrived; the flow was cancelled at the daemon
  api::LoginStatus status;   // done or failed, when not interrupted
};

/// Polls GET /v1/login/{id} about once a second until the flow is done or failed, reading
/// `paste_fd` meanwhile: each non-empty line goes to POST /v1/login/{id}/redirect (never
/// printed: it holds an authorization code). A refused paste is reported on `err` and waiting
/// goes on. SIGINT is caught while this runs. @returns the final status; login_timeout when
/// `timeout` passes (the flow is cancelled); the daemon's error when a poll fails.
Result<LoginWaitResult> wait_for_login(client::DaemonClient& daemon, const api::LoginStarted& login,
                                       const LoginWaitOptions& options, std::ostream& err);

}  // namespace bqb::cli
