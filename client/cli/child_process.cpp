#include "client/cli/child_process.h"

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client/cli/exit_codes.h"
#include "proto/spawn.h"

namespace bqb::cli {
namespace {

SpawnFailure spawn_failure(const std::string& command, int err) {
  if (err == ENOENT) {
    return {
        kExitExecNotFound,
        Error{Errc::not_found, command + ": command not found",
              command.find('/') == std::string::npos ? "it is not in any directory of PATH" : ""}};
  }
  if (err == EACCES || err == ENOEXEC || err == EISDIR || err == ENOTDIR) {
    return {kExitExecCannotRun,
            Error{Errc::io_error, command + ": cannot run it: " + std::strerror(err), ""}};
  }
  return {kExitExecFailed,
          Error{Errc::io_error, "cannot start " + command + ": " + std::strerror(err), ""}};
}

}  // namespace

tl::expected<ChildProcess, SpawnFailure> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                             const std::vector<std::string>& env,
                                                             const sigset_t& child_mask) {
  if (argv.empty()) {
    return tl::unexpected(
        SpawnFailure{kExitExecFailed, Error{Errc::bad_request, "no command to run", ""}});
  }
  SpawnOptions options;
  options.argv = argv;
  options.env = env;
  options.signal_mask = child_mask;
  int err = 0;
  auto spawned = spawn_process(options, &err);
  if (!spawned) return tl::unexpected(spawn_failure(argv[0], err));
  const pid_t pid = *spawned;

  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    // Kernels before 5.3. Without a pidfd the child cannot be polled; stop it rather than run
    // it unsupervised (its token file would go stale).
    int saved = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return tl::unexpected(SpawnFailure{
        kExitExecFailed,
        Error{Errc::io_error,
              std::string("cannot watch the child process (pidfd_open): ") + std::strerror(saved),
              "bqbroker exec needs Linux 5.3 or later"}});
  }
  return ChildProcess(pid, pidfd);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), pidfd_(other.pidfd_), reaped_(other.reaped_) {
  other.pid_ = -1;
  other.pidfd_ = -1;
  other.reaped_ = true;
}

ChildProcess::~ChildProcess() {
  if (!reaped_) wait();
  if (pidfd_ >= 0) ::close(pidfd_);
}

void ChildProcess::signal(int signo) const {
  // Through the pidfd: never a process that took over the pid after the child was reaped.
  if (!reaped_) ::syscall(SYS_pidfd_send_signal, pidfd_, signo, nullptr, 0);
}

int ChildProcess::wait() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  return status;
}

}  // namespace bqb::cli
