#pragma once
// Another local user's process listening where a client looks for the daemon: the
// bqbit-socket-recorder tool (tests/integration/tools) run as that user. It records every byte
// sent to it, so a test can prove that a client sent nothing.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/process.h"
#include "tests/support/test_users.h"

namespace bqb::itest {

/// What the listener received over its whole life.
struct Recording {
  int connections = 0;  // connections accepted (or still queued) when it stopped
  std::string bytes;    // everything they sent, in arrival order
};

class PlantedListener {
 public:
  /// Starts the recorder as `user`, listening on `socket` (made 0777); the directory must let
  /// `user` create it. Its stdout and stderr go to one pipe. Does not wait: call
  /// wait_listening().
  PlantedListener(const TestUser& user, std::filesystem::path socket);
  PlantedListener(const PlantedListener&) = delete;
  PlantedListener& operator=(const PlantedListener&) = delete;
  /// Kills the recorder if still running.
  ~PlantedListener();

  /// Waits for the recorder to say it listens. Fails with its output when it exits first.
  ::testing::AssertionResult wait_listening(std::chrono::milliseconds timeout = 10s);
  /// Tells the recorder to stop (closes its stdin) and collects what it received; call once the
  /// clients are done. Fails when it does not report within `timeout`.
  ::testing::AssertionResult finish(Recording& out, std::chrono::milliseconds timeout = 10s);

  const std::filesystem::path& socket() const { return socket_; }
  /// The recorder's pid: the one that called listen(), as SO_PEERCRED reports it.
  pid_t pid() const { return child_->pid(); }

 private:
  /// Reads the recorder's stdout until `done(text)` holds, EOF, or the deadline.
  bool read_until(Clock::time_point deadline, bool (*done)(const std::string&));

  std::filesystem::path socket_;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string out_;
  std::optional<Child> child_;
};

}  // namespace bqb::itest
