#include "tests/support/daemon_process.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include <poll.h>
#include <unistd.h>

#include "tests/support/binaries.h"
#include "tests/support/log_check.h"
#include "tests/support/raw_http.h"

namespace bqb::itest {

DaemonOptions& DaemonOptions::with_memory_measured() {
#if defined(__SANITIZE_ADDRESS__)
  // Later flags win: what the run set (its log path, leak checks) stays.
  const char* run = std::getenv("ASAN_OPTIONS");
  with_env("ASAN_OPTIONS", std::string(run ? run : "") + ":quarantine_size_mb=0");
#endif
  return *this;
}

DaemonProcess::DaemonProcess(Sandbox& sandbox, DaemonOptions options)
    : socket_(options.socket.value_or(sandbox.socket_path())),
      log_(sandbox.unique_path("bqbrokerd", ".log")) {
  argv_.push_back(daemon_binary());
  if (options.socket_flag) {
    argv_.push_back("--socket");
    argv_.push_back(socket_.string());
  }
  if (options.config) {
    auto config_file = sandbox.unique_path("config", ".toml");
    std::ofstream(config_file) << *options.config;
    // 0600 whatever the umask: the daemon refuses a config file others may write.
    std::filesystem::permissions(
        config_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    // The daemon's own user owns it, as a user's config.toml is.
    if (options.user && ::lchown(config_file.c_str(), options.user->uid, options.user->gid) != 0) {
      throw std::system_error(errno, std::generic_category(), "lchown " + config_file.string());
    }
    argv_.push_back("--config");
    argv_.push_back(config_file.string());
  }
  argv_.insert(argv_.end(), options.args.begin(), options.args.end());

  notify_.emplace(sandbox.unique_path("notify", ".sock"));
  if (options.user) {
    // sd_notify needs write permission on the notify socket; the daemon's own user gets it.
    if (::lchown(notify_->path().c_str(), options.user->uid, options.user->gid) != 0) {
      throw std::system_error(errno, std::generic_category(), "lchown " + notify_->path().string());
    }
  }
  Environment env = sandbox.env();
  env.set("NOTIFY_SOCKET", notify_->path().string());
  for (auto& [name, value] : options.env) {
    if (value) {
      env.set(name, *value);
    } else {
      env.unset(name);
    }
  }
  child_.emplace(options.user ? as_user(*options.user, argv_) : argv_, env, Redirects{log_, log_});
}

DaemonProcess::~DaemonProcess() = default;  // ~Child kills and reaps a running daemon

::testing::AssertionResult DaemonProcess::wait_ready(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    notify_->drain();
    if (notify_->received("READY=1")) return ::testing::AssertionSuccess();
    if (!child_->running()) {
      return ::testing::AssertionFailure()
             << "bqbrokerd " << child_->status()->describe() << " before READY=1; its log:\n"
             << log();
    }
    int left = remaining_ms(deadline);
    if (left == 0) {
      return ::testing::AssertionFailure()
             << "no READY=1 from bqbrokerd within " << timeout.count() << " ms; its log:\n"
             << log();
    }
    pollfd fds[2] = {{notify_->fd(), POLLIN, 0}, {child_->pidfd(), POLLIN, 0}};
    // Without a pidfd, wake up regularly to notice an exit.
    ::poll(fds, child_->pidfd() >= 0 ? 2 : 1, child_->pidfd() >= 0 ? left : std::min(left, 20));
  }
}

ExitStatus DaemonProcess::wait_exit(std::chrono::milliseconds timeout) {
  return child_->wait(timeout);
}

ExitStatus DaemonProcess::stop(int signal, std::chrono::milliseconds timeout) {
  child_->kill(signal);
  ExitStatus st = child_->wait(timeout);
  if (st.kind == ExitStatus::Kind::still_running) {
    child_->kill(SIGKILL);
    child_->wait(10s);
  }
  return st;
}

bool DaemonProcess::notified(std::string_view line) {
  notify_->drain();
  return notify_->received(line);
}

std::string DaemonProcess::log() const { return read_file(log_); }

::testing::AssertionResult DaemonProcess::wait_for_log(const std::vector<std::string>& needles,
                                                       std::chrono::milliseconds timeout) const {
  return wait_for_line(log_, needles, timeout);
}

::testing::AssertionResult DaemonProcess::serves_status() const {
  auto r = http_once(socket_, http_request("GET", "/v1/status"));
  if (!r) return ::testing::AssertionFailure() << "GET /v1/status: " << r.error();
  auto j = r->json();
  if (r->status != 200 || !j.is_object() || j.value("pid", -1) != pid()) {
    return ::testing::AssertionFailure() << "GET /v1/status answered, not by pid " << pid() << ":\n"
                                         << *r;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace bqb::itest
