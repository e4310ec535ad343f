#pragma once
// The real bqbrokerd, started the way systemd or a user would: its own environment (the
// sandbox's XDG directories), stderr captured to a log file, readiness learned from its
// sd_notify READY=1, and a stop by signal that reports how it exited.

#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/notify_socket.h"
#include "tests/support/process.h"
#include "tests/support/sandbox.h"
#include "tests/support/test_users.h"

namespace bqb::itest {

/// The configuration most tests want: nothing persists, everything is logged.
inline constexpr std::string_view kTestConfig =
    "store = \"memory\"\n"
    "log_level = \"debug\"\n";

struct DaemonOptions {
  /// The text of config.toml, written to a fresh file and passed with --config; nullopt passes
  /// no --config (the daemon then looks in the sandbox's $XDG_CONFIG_HOME).
  std::optional<std::string> config = std::string(kTestConfig);
  /// Passed with --socket; nullopt passes the sandbox's socket_path(). See `socket_flag`.
  std::optional<std::filesystem::path> socket;
  /// false: no --socket at all, so the daemon resolves the path from its environment.
  bool socket_flag = true;
  /// Appended after the options above.
  std::vector<std::string> args;
  /// Changes to the sandbox's environment: a value sets the variable, nullopt unsets it.
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
  /// Run the daemon as this user (the sandbox must be given to it first: Sandbox::give_to);
  /// nullopt runs it as the test's own user.
  std::optional<TestUser> user;

  // Chainable setters: DaemonOptions().with_config(text).with_socket(path).
  DaemonOptions& with_config(std::optional<std::string> text) {
    config = std::move(text);
    return *this;
  }
  DaemonOptions& with_socket(std::filesystem::path path) {
    socket = std::move(path);
    return *this;
  }
  DaemonOptions& without_socket_flag() {
    socket_flag = false;
    return *this;
  }
  DaemonOptions& with_env(std::string name, std::optional<std::string> value) {
    env.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  DaemonOptions& with_user(TestUser u) {
    user = std::move(u);
    return *this;
  }
  /// For a test that bounds the daemon's memory. Under AddressSanitizer, freed blocks wait in a
  /// quarantine of up to 256 MiB before reuse (that is how it catches a use after free), which
  /// an RSS bound would count as growth: this daemon runs with none. Elsewhere, no change.
  DaemonOptions& with_memory_measured();
};

class DaemonProcess {
 public:
  /// Spawns bqbrokerd in `sandbox` (which must outlive this object). Does not wait: call
  /// wait_ready() or, for a start that must fail, wait_exit().
  explicit DaemonProcess(Sandbox& sandbox, DaemonOptions options = {});
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  /// Kills (SIGKILL) a daemon still running.
  ~DaemonProcess();

  /// Waits for READY=1 on $NOTIFY_SOCKET. Fails, with the exit status and the log in the
  /// message, when the daemon exits first or `timeout` passes.
  ::testing::AssertionResult wait_ready(std::chrono::milliseconds timeout = 10s);
  /// Waits for the daemon to exit. @returns its status, or still_running after `timeout`.
  ExitStatus wait_exit(std::chrono::milliseconds timeout = 10s);
  /// Sends `signal` and waits for the exit. A daemon still running after `timeout` is killed
  /// and still_running returned.
  ExitStatus stop(int signal = SIGTERM, std::chrono::milliseconds timeout = 15s);

  /// @returns true when the daemon sent `line` (e.g. "STOPPING=1") to $NOTIFY_SOCKET so far.
  bool notified(std::string_view line);

  pid_t pid() const { return child_->pid(); }
  /// The socket path given with --socket (or the sandbox default when the flag was omitted).
  const std::filesystem::path& socket_path() const { return socket_; }
  const std::filesystem::path& log_path() const { return log_; }
  /// @returns everything the daemon wrote to stderr and stdout so far.
  std::string log() const;
  /// Waits until a log line holds every one of `needles`.
  ::testing::AssertionResult wait_for_log(const std::vector<std::string>& needles,
                                          std::chrono::milliseconds timeout = 10s) const;
  /// Succeeds when GET /v1/status on a fresh connection answers 200 with this daemon's pid:
  /// the check that a daemon is still up and serving after a test poked at it. It connects as
  /// the test's own uid, so a daemon run as another user (DaemonOptions::user) refuses it.
  ::testing::AssertionResult serves_status() const;
  /// The argv it was started with, for messages.
  const std::vector<std::string>& argv() const { return argv_; }

 private:
  std::filesystem::path socket_;
  std::filesystem::path log_;
  std::vector<std::string> argv_;
  std::optional<NotifySocket> notify_;
  std::optional<Child> child_;
};

}  // namespace bqb::itest
