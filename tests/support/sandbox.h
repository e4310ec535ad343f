#pragma once
// A test's private corner of the filesystem: a fresh temporary directory holding the XDG
// directories the daemon and the CLI resolve their paths from, removed at the end of the test.
// Tests stay independent and parallel-safe because nothing they touch lies outside it.

#include <filesystem>
#include <string_view>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_users.h"

namespace bqb::itest {

/// The tests' one temporary directory (tests/support/temp_dir.h).
using TempDir = bqb::testing::TempDir;

class Sandbox {
 public:
  /// Creates <root>/{run,config,state,home}, each 0700.
  Sandbox();

  const std::filesystem::path& root() const { return dir_.path(); }
  /// $XDG_RUNTIME_DIR of the daemon and CLI.
  std::filesystem::path runtime_dir() const { return root() / "run"; }
  /// The directory the daemon creates for its socket (not created by the sandbox).
  std::filesystem::path socket_dir() const { return runtime_dir() / "bqbroker"; }
  /// Where the daemon listens by default: $XDG_RUNTIME_DIR/bqbroker/bqbroker.sock.
  std::filesystem::path socket_path() const { return socket_dir() / "bqbroker.sock"; }
  std::filesystem::path config_home() const { return root() / "config"; }
  std::filesystem::path state_home() const { return root() / "state"; }
  std::filesystem::path home() const { return root() / "home"; }

  /// @returns PATH and friends (Environment::minimal) plus HOME and XDG_* pointing into the
  ///          sandbox; BQBROKER_SOCKET and BQBROKER_CONFIG are not set.
  Environment env() const;

  /// Makes `user` the owner of the sandbox and of everything in it so far (symbolic links are
  /// not followed), for a daemon and a CLI run as that user. Throws std::system_error.
  void give_to(const TestUser& user);

  /// @returns a path <root>/<stem>-<n><ext> not handed out before by this sandbox.
  std::filesystem::path unique_path(std::string_view stem, std::string_view ext);

 private:
  TempDir dir_{"bqbit"};
  int counter_ = 0;
};

}  // namespace bqb::itest
