#pragma once
// The lock that keeps two daemons of one user from sharing a state directory.

#include <filesystem>
#include <utility>

#include "proto/error.h"

namespace bqb {

/// Holds an exclusive flock on `<state_dir>/bqbrokerd.lock` (with this pid written in it) for
/// its lifetime. The kernel drops the lock when the process dies, so kill -9 leaves nothing stale.
class StateLock {
 public:
  /// Creates `state_dir` (0700, with parents) and takes the lock.
  /// @returns conflict naming the other daemon's pid when the lock is held, io_error otherwise.
  static Result<StateLock> acquire(const std::filesystem::path& state_dir);

  StateLock(StateLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  StateLock& operator=(StateLock&&) = delete;
  StateLock(const StateLock&) = delete;
  ~StateLock();

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace bqb
