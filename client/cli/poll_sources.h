#pragma once
// Signals and timers as file descriptors, so that one poll() can wait for a child's exit, a
// signal to forward and the next token refresh at once, with no busy loop.

#include <signal.h>
#include <sys/signalfd.h>

#include <chrono>
#include <initializer_list>
#include <optional>

#include "proto/error.h"

namespace bqb::cli {

/// Blocks `signals` in the calling thread for its lifetime and makes them readable from fd().
/// On destruction, signals still pending are consumed (they were meant for the child, or have
/// been handled) and the previous mask is restored.
class SignalFd {
 public:
  static Result<SignalFd> open(std::initializer_list<int> signals);

  SignalFd(SignalFd&& other) noexcept;
  SignalFd& operator=(SignalFd&&) = delete;
  SignalFd(const SignalFd&) = delete;
  ~SignalFd();

  int fd() const { return fd_; }
  /// The mask the thread had before: what a child should start with.
  const sigset_t& previous_mask() const { return previous_; }

  /// @returns the next pending signal, or nullopt when none is pending.
  std::optional<signalfd_siginfo> read() const;

 private:
  SignalFd() = default;
  int fd_ = -1;
  sigset_t blocked_{};
  sigset_t previous_{};
};

/// A one-shot timer on CLOCK_BOOTTIME: the time a machine spends suspended counts, so a token
/// refresh due during suspend happens right after resume, not an hour late.
class BootTimer {
 public:
  static Result<BootTimer> open();

  BootTimer(BootTimer&& other) noexcept;
  BootTimer& operator=(BootTimer&&) = delete;
  BootTimer(const BootTimer&) = delete;
  ~BootTimer();

  int fd() const { return fd_; }
  /// Fires once, `delay` from now (a zero delay fires at once), replacing an earlier setting.
  Status arm(std::chrono::milliseconds delay);
  /// Acknowledges a firing. @returns true when the timer had fired.
  bool consume();

 private:
  BootTimer() = default;
  int fd_ = -1;
};

}  // namespace bqb::cli
