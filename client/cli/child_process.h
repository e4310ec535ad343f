#pragma once
// A child process started with spawn_process() (proto/spawn.h), watched through a pidfd
// (pollable, and immune to pid reuse). For `bqbroker exec`, whose parent stays alive while the
// child runs.

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "proto/error.h"

namespace bqb::cli {

/// Why a child could not be started, with the exit code `env`, `timeout` and shells use:
/// 127 when the command is not found, 126 when it is found but cannot be run, 125 otherwise.
struct SpawnFailure {
  int exit_code;
  Error error;
};

class ChildProcess {
 public:
  /// Starts `argv[0]` (searched in this process's PATH when it has no '/', like execvp()) with
  /// `argv` and `env`
  /// ("NAME=value" entries) and the signal mask `child_mask`; signal dispositions are inherited
  /// as POSIX says (ignored stays ignored), standard streams and non-close-on-exec descriptors
  /// too. @returns the running child, or the failure with the message naming the command.
  static tl::expected<ChildProcess, SpawnFailure> spawn(const std::vector<std::string>& argv,
                                                        const std::vector<std::string>& env,
                                                        const sigset_t& child_mask);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  /// Reaps the child if wait() was not called (blocking until it exits).
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  /// A descriptor that poll() reports readable once the child has exited.
  int pidfd() const { return pidfd_; }

  /// Sends `signo` to the child unless it has been reaped already.
  void signal(int signo) const;

  /// Blocks until the child exits and reaps it. @returns its waitpid() status.
  int wait();

 private:
  ChildProcess(pid_t pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}

  pid_t pid_ = -1;
  int pidfd_ = -1;
  bool reaped_ = false;
};

}  // namespace bqb::cli
