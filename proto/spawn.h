#pragma once
// The one way bqbroker's programs start a child process: posix_spawn(3), with what the child gets
// (argv, environment, standard streams, signal mask and dispositions) described as a value.
// Used by the CLI (the browser for login, the command of `bqbroker exec`) and by the tests that
// start the real binaries. The caller owns the pid: it waits for the child, or decides not to.

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proto/error.h"

namespace bqb {

/// Where one of the child's standard streams (0, 1 or 2) comes from or goes to.
struct StdStream {
  enum class Kind {
    inherit,   // the caller's descriptor, as it is
    dev_null,  // /dev/null, read-only for stdin and write-only for stdout and stderr
    file,      // `path` opened in the caller with `flags` | O_CLOEXEC and `mode`
    fd,        // the caller's descriptor `fd` (a pipe end, a file), dup2()ed onto the stream
  };
  Kind kind = Kind::inherit;
  std::string path;  // file
  int flags = 0;     // file
  mode_t mode = 0;   // file
  int fd = -1;       // fd; the caller keeps it open through the spawn and closes it after

  static StdStream dev_null() { return {Kind::dev_null, {}, 0, 0, -1}; }
  static StdStream file(std::string path, int flags, mode_t mode = 0600) {
    return {Kind::file, std::move(path), flags, mode, -1};
  }
  static StdStream from_fd(int fd) { return {Kind::fd, {}, 0, 0, fd}; }
};

/// What the child gets. Descriptors not named here are inherited unless close-on-exec.
struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the program; must not be empty
  /// "NAME=value" entries: exactly these. nullopt: this process's environment (environ).
  std::optional<std::vector<std::string>> env;
  StdStream std_in, std_out, std_err;
  /// Look argv[0] up in this process's PATH when it has no '/', like execvp() (posix_spawnp).
  bool search_path = true;
  /// The child's signal mask. nullopt: the caller's mask, as POSIX says.
  std::optional<sigset_t> signal_mask;
  /// Every signal back to SIG_DFL in the child. false: ignored signals stay ignored.
  bool default_signals = false;
};

/// Starts a child as `options` say. @returns its pid, or io_error (bad_request for an empty
/// argv) with a message naming the program and strerror(). When `errno_out` is not null it
/// receives the errno of the failure (0 on success), for callers that map it to their own codes,
/// as `bqbroker exec` does with 126 and 127.
Result<pid_t> spawn_process(const SpawnOptions& options, int* errno_out = nullptr);

}  // namespace bqb
