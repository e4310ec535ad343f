#include "client/cli/login_wait.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>
#include <ostream>
#include <string>

#include "client/cli/error_text.h"
#include "client/lib/api_calls.h"

namespace bqb::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int) { g_interrupted = 1; }

/// Catches SIGINT for its lifetime (without SA_RESTART, so a blocked poll() returns at once).
class SigintCatcher {
 public:
  SigintCatcher() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &previous_);
  }
  ~SigintCatcher() { ::sigaction(SIGINT, &previous_, nullptr); }
  SigintCatcher(const SigintCatcher&) = delete;
  SigintCatcher& operator=(const SigintCatcher&) = delete;
  bool raised() const { return g_interrupted != 0; }

 private:
  struct sigaction previous_ {};
};

/// Lines from a file descriptor, read only when poll() says there is input.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  bool open() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  /// Reads what is there. At EOF or on an error the reader closes (reads nothing more).
  void fill() {
    char chunk[4096];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
      fd_ = -1;
      return;
    }
    buf_.append(chunk, static_cast<std::size_t>(n));
    // A line longer than any redirect address is noise: drop it rather than grow without bound.
    if (buf_.size() > kMaxLine && buf_.find('\n') == std::string::npos) buf_.clear();
  }

  /// @returns the next complete line without its line end, or nullopt.
  std::optional<std::string> take_line() {
    auto nl = buf_.find('\n');
    if (nl == std::string::npos) return std::nullopt;
    std::string line = buf_.substr(0, nl);
    buf_.erase(0, nl + 1);
    auto first = line.find_first_not_of(" \t\r");
    auto last = line.find_last_not_of(" \t\r");
    return first == std::string::npos ? std::string() : line.substr(first, last - first + 1);
  }

 private:
  static constexpr std::size_t kMaxLine = 16 * 1024;
  int fd_;
  std::string buf_;
};

/// Cancels the flow; its outcome no longer matters to the caller.
void cancel(client::DaemonClient& daemon, const std::string& login_id) {
  (void)client::cancel_login(daemon, login_id);
}

}  // namespace

Result<LoginWaitResult> wait_for_login(client::DaemonClient& daemon, const api::LoginStarted& login,
                                       const LoginWaitOptions& options, std::ostream& err) {
  using Clock = std::chrono::steady_clock;
  const std::string& id = login.login_id;
  const auto deadline = Clock::now() + options.timeout;
  SigintCatcher sigint;
  LineReader paste(options.paste_fd);

  for (;;) {
    if (sigint.raised()) {
      cancel(daemon, id);
      return LoginWaitResult{true, {}};
    }
    if (Clock::now() >= deadline) {
      cancel(daemon, id);
      return fail(Errc::login_timeout,
                  "the login did not complete within " + std::to_string(options.timeout.count()) +
                      " seconds",
                  "run `bqbroker login` again");
    }
    // With a paste source, poll() paces the loop and the daemon answers at once; without one,
    // the daemon's one-second long-poll does.
    std::chrono::seconds wait(1);
    if (paste.open()) {
      pollfd p{paste.fd(), POLLIN, 0};
      int n = ::poll(&p, 1, 1000);
      if (n > 0) paste.fill();
      wait = std::chrono::seconds(0);
    }
    while (auto line = paste.take_line()) {
      if (line->empty()) continue;
      auto status = client::send_login_redirect(daemon, id, std::move(*line));
      if (!status) {
        err << render_error(status.error())
            << "Paste the whole address again, or finish the sign-in in the browser.\n";
        continue;
      }
      if (status->state != api::LoginState::pending) return LoginWaitResult{false, *status};
    }
    if (sigint.raised()) continue;
    BQB_TRY(status, client::login_state(daemon, id, wait));
    if (status.state != api::LoginState::pending) return LoginWaitResult{false, status};
  }
}

}  // namespace bqb::cli
