#include "client/cli/exec_command.h"

#include <poll.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ostream>
#include <utility>

#include "client/cli/child_process.h"
#include "client/cli/error_text.h"
#include "client/cli/exit_codes.h"
#include "client/cli/poll_sources.h"
#include "client/cli/token_file.h"
#include "client/lib/api_calls.h"
#include "client/lib/token_query.h"
#include "proto/metadata_api.h"
#include "proto/token_api.h"

namespace bqb::cli {
namespace {

/// Prints `e` and @returns the exit code for a failure of bqbroker itself: the table's code for
/// the daemon being unreachable or an account needing login, 125 for the rest (1 could be the
/// child's own status).
int report(Context& ctx, const Error& e) {
  ctx.err << render_error(e);
  ExitCode code = exit_code_for(e.code);
  return code == kExitFailed ? kExitExecFailed : code;
}

/// Closes the metadata session when the command ends, however it ends.
class SessionCloser {
 public:
  SessionCloser(client::DaemonClient& daemon, Context& ctx, std::string id)
      : daemon_(daemon), ctx_(ctx), id_(std::move(id)) {}
  SessionCloser(const SessionCloser&) = delete;
  SessionCloser& operator=(const SessionCloser&) = delete;
  ~SessionCloser() {
    auto closed = client::close_metadata_session(daemon_, id_);
    // not_found: the daemon closed it already (it restarted, or noticed the exit first).
    if (!closed && closed.error().code != Errc::not_found) {
      ctx_.err << render_warning(
          "could not close the metadata session (the daemon closes it "
          "when bqbroker exits): " +
          closed.error().message);
    }
  }

 private:
  client::DaemonClient& daemon_;
  Context& ctx_;
  std::string id_;
};

/// @returns a token for the file: one valid for `query.min_valid` if the daemon can give it, else
/// any live one. A token endpoint may issue tokens that never live that long (an organization's
/// short session policy, an emulator): a live token in the file, rewritten sooner, beats no file.
Result<api::AccessToken> fetch_for_file(client::DaemonClient& daemon,
                                        const client::TokenQuery& query) {
  auto token = client::fetch_token(daemon, query);
  if (token || token.error().code != Errc::upstream_error || !query.min_valid) return token;
  client::TokenQuery any_live = query;
  any_live.min_valid.reset();
  auto live = client::fetch_token(daemon, any_live);
  return live ? live : token;
}

/// Keeps the token file fresh while the child runs.
class TokenRefresher {
 public:
  TokenRefresher(client::DaemonClient& daemon, Context& ctx, client::TokenQuery query,
                 TokenFile& file, BootTimer& timer, const RefreshPolicy& policy)
      : daemon_(daemon),
        ctx_(ctx),
        query_(std::move(query)),
        file_(file),
        timer_(timer),
        policy_(policy) {}

  /// Writes `token` and arms the timer for the next refresh.
  Status install(const api::AccessToken& token) {
    if (auto written = file_.write(token.access_token); !written) return written;
    return timer_.arm(refresh_delay(token.expires_in, policy_));
  }

  /// The timer fired: fetch and install a new token. A failure is reported once per run of
  /// failures; the file keeps the old token and the timer is armed for a retry.
  void refresh() {
    auto token = fetch_for_file(daemon_, query_);
    Status installed = token ? install(*token) : tl::unexpected(token.error());
    if (installed) {
      if (failing_) ctx_.err << "bqbroker: the token file is up to date again\n";
      failing_ = false;
      return;
    }
    if (!failing_) {
      ctx_.err << render_warning("cannot refresh the token file " + file_.path().string() + ": " +
                                 installed.error().message + " (retrying every " +
                                 std::to_string(policy_.retry_delay.count()) + " ms)");
    }
    failing_ = true;
    (void)timer_.arm(policy_.retry_delay);
  }

 private:
  client::DaemonClient& daemon_;
  Context& ctx_;
  client::TokenQuery query_;
  TokenFile& file_;
  BootTimer& timer_;
  const RefreshPolicy& policy_;
  bool failing_ = false;
};

/// Waits for the child to exit, forwarding signals and refreshing the token meanwhile.
/// @returns the child's wait status.
int supervise(ChildProcess& child, const SignalFd& signals, BootTimer& timer,
              TokenRefresher& refresher, Context& ctx) {
  for (;;) {
    pollfd fds[3] = {
        {child.pidfd(), POLLIN, 0}, {signals.fd(), POLLIN, 0}, {timer.fd(), POLLIN, 0}};
    int n = ::poll(fds, 3, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      ctx.err << render_warning(std::string("cannot watch the command any more (poll: ") +
                                std::strerror(errno) + "); waiting for it to exit");
      return child.wait();
    }
    if (fds[1].revents != 0) {
      while (auto info = signals.read()) {
        // A terminal's Ctrl-C or hangup (SI_KERNEL) reaches the whole foreground process group,
        // the child included; sending it again would make it arrive twice. A signal sent to
        // bqbroker alone (kill PID, a service manager) is passed on.
        if (info->ssi_code != SI_KERNEL) child.signal(static_cast<int>(info->ssi_signo));
      }
    }
    if (fds[2].revents != 0 && timer.consume()) refresher.refresh();
    if (fds[0].revents != 0) return child.wait();
  }
}

}  // namespace

Result<int> run_exec(Context& ctx, const ExecRequest& r) {
  if (r.command.empty()) {
    ctx.err << render_error(
        Error{Errc::bad_request, "no command to run", "bqbroker exec -- CMD ARGS…"});
    return kExitUsage;
  }
  auto connected = ctx.connect();
  if (!connected) return report(ctx, connected.error());
  client::DaemonClient& daemon = *connected;

  api::MetadataSessionRequest request{r.account, r.scopes,
                                      requested_project(r.project, r.inherited_env)};
  auto session = client::open_metadata_session(daemon, request);
  if (!session) return report(ctx, session.error());
  SessionCloser closer(daemon, ctx, session->session_id);

  // The session's account and canonical scopes: the file holds what the endpoint serves.
  client::TokenQuery query{session->account, session->scopes, r.refresh.min_valid_seconds};
  auto token = fetch_for_file(daemon, query);
  if (!token) return report(ctx, token.error());
  // Blocked from here on: the token file must not outlive an interrupted bqbroker, and no signal
  // is lost between the start of the child and the first poll.
  auto signals = SignalFd::open({SIGINT, SIGTERM, SIGHUP});
  if (!signals) return report(ctx, signals.error());
  auto file = TokenFile::create(r.runtime_dir);
  if (!file) return report(ctx, file.error());
  auto timer = BootTimer::open();
  if (!timer) return report(ctx, timer.error());
  TokenRefresher refresher(daemon, ctx, query, *file, *timer, r.refresh);
  if (auto installed = refresher.install(*token); !installed) return report(ctx, installed.error());

  // Interrupted before the child exists: it is not started at all (the file and the session are
  // cleaned up on the way out), and bqbroker ends as the signal would have ended it.
  if (auto early = signals->read()) return 128 + static_cast<int>(early->ssi_signo);
  ctx.out.flush();
  ctx.err.flush();
  auto child = ChildProcess::spawn(
      r.command, exec_environment(r.inherited_env, *session, file->path().string()),
      signals->previous_mask());
  if (!child) {
    ctx.err << render_error(child.error().error);
    return child.error().exit_code;
  }
  // The endpoint now lives as long as the child, not as long as bqbroker: a bqbroker killed with
  // SIGKILL leaves the child its endpoint (the token file is no longer rewritten then). A daemon
  // that refuses keeps following bqbroker, as before; the child runs either way.
  if (auto followed =
          client::follow_metadata_session_process(daemon, session->session_id, child->pid());
      !followed) {
    ctx.err << render_warning("the metadata endpoint will close if bqbroker exits before " +
                              r.command[0] + ": " + followed.error().message);
  }
  int status = supervise(*child, *signals, *timer, refresher, ctx);
  file->remove();
  return exit_code_from_wait_status(status);
}

}  // namespace bqb::cli
