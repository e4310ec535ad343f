#pragma once
// Child processes for the integration tests: an explicit environment, spawning without a shell,
// and waiting on a child's exit with a bound (a pidfd polled with a deadline, no sleeps).

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <sys/types.h>

#include "proto/spawn.h"

namespace bqb::itest {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// The environment a child gets: exactly these variables, nothing inherited implicitly.
class Environment {
 public:
  /// @returns an environment holding only PATH and the variables a test run must pass through
  ///          (sanitizer options, the private D-Bus session of scripts/with-keyring.sh), copied
  ///          from this process.
  static Environment minimal();

  Environment& set(const std::string& name, std::string value);
  Environment& unset(const std::string& name);
  /// @returns the value of `name`, or nullopt when unset.
  std::optional<std::string> get(const std::string& name) const;
  /// @returns "NAME=value" strings, for execve.
  std::vector<std::string> entries() const;

 private:
  std::map<std::string, std::string> vars_;
};

/// How a child ended, or that it had not ended when we stopped waiting.
struct ExitStatus {
  enum class Kind { exited, signaled, still_running };
  Kind kind = Kind::still_running;
  int value = 0;  // exit code, or signal number

  static ExitStatus exited_with(int code) { return {Kind::exited, code}; }
  static ExitStatus killed_by(int signal) { return {Kind::signaled, signal}; }
  static ExitStatus from_wait_status(int status);

  bool success() const { return kind == Kind::exited && value == 0; }
  std::string describe() const;
  friend bool operator==(const ExitStatus&, const ExitStatus&) = default;
};
std::ostream& operator<<(std::ostream& os, const ExitStatus& s);

/// Where a child's standard streams go. Unset means /dev/null.
struct Redirects {
  std::optional<std::filesystem::path> stdout_file;
  std::optional<std::filesystem::path> stderr_file;
};

/// A spawned child that is killed (SIGKILL) and reaped on destruction if still running.
class Child {
 public:
  /// Spawns argv[0] (searched in this process's PATH when it has no slash) with exactly `env`.
  /// Throws std::runtime_error when the spawn itself fails.
  Child(const std::vector<std::string>& argv, const Environment& env, const Redirects& io);
  /// Spawns with stdout and stderr going to the given pipe write ends (closed in the parent by
  /// the caller); for run_process.
  Child(const std::vector<std::string>& argv, const Environment& env, int stdout_fd, int stderr_fd);
  /// The same with stdin from `stdin_fd` (a pipe's read end, closed in the parent by the caller),
  /// for a test that types into the child.
  Child(const std::vector<std::string>& argv, const Environment& env, int stdin_fd, int stdout_fd,
        int stderr_fd);
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  pid_t pid() const { return pid_; }
  /// A pidfd for the child (readable once it exits), or -1 when the kernel lacks pidfd_open.
  int pidfd() const { return pidfd_; }
  /// @returns true while the child has not been reaped and has not exited.
  bool running();
  /// Waits until the child exits or `timeout` passes. @returns its status, or still_running.
  ExitStatus wait(std::chrono::milliseconds timeout);
  /// Sends `signal`. @returns false when the child was already reaped.
  bool kill(int signal);
  /// The status once reaped.
  std::optional<ExitStatus> status() const { return status_; }

 private:
  void spawn(const std::vector<std::string>& argv, const Environment& env, StdStream in,
             StdStream out, StdStream err);
  bool try_reap();

  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::optional<ExitStatus> status_;
};

struct ProcessResult {
  pid_t pid = -1;
  ExitStatus status;
  std::string out;
  std::string err;
};
std::ostream& operator<<(std::ostream& os, const ProcessResult& r);

/// Runs argv to completion with exactly `env`, capturing stdout and stderr. A child still running
/// after `timeout` is killed and reported as still_running.
ProcessResult run_process(const std::vector<std::string>& argv, const Environment& env,
                          std::chrono::milliseconds timeout = 30s);

/// @returns the remaining time until `deadline` in whole milliseconds, at least 0 (for poll()).
int remaining_ms(Clock::time_point deadline);

}  // namespace bqb::itest
