#include "client/cli/poll_sources.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace bqb::cli {
namespace {

tl::unexpected<Error> errno_failure(const char* what) {
  return fail(Errc::io_error, std::string(what) + " failed: " + std::strerror(errno));
}

}  // namespace

Result<SignalFd> SignalFd::open(std::initializer_list<int> signals) {
  SignalFd s;
  sigemptyset(&s.blocked_);
  for (int signo : signals) sigaddset(&s.blocked_, signo);
  if (int rc = ::pthread_sigmask(SIG_BLOCK, &s.blocked_, &s.previous_); rc != 0) {
    errno = rc;
    return errno_failure("blocking signals");
  }
  s.fd_ = ::signalfd(-1, &s.blocked_, SFD_CLOEXEC | SFD_NONBLOCK);
  if (s.fd_ < 0) {
    auto failure = errno_failure("signalfd");
    ::pthread_sigmask(SIG_SETMASK, &s.previous_, nullptr);
    return failure;
  }
  return s;
}

SignalFd::SignalFd(SignalFd&& other) noexcept
    : fd_(other.fd_), blocked_(other.blocked_), previous_(other.previous_) {
  other.fd_ = -1;
}

SignalFd::~SignalFd() {
  if (fd_ < 0) return;
  while (read()) {
  }
  ::close(fd_);
  ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

std::optional<signalfd_siginfo> SignalFd::read() const {
  signalfd_siginfo info{};
  ssize_t n;
  do {
    n = ::read(fd_, &info, sizeof info);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof info)) return std::nullopt;
  return info;
}

Result<BootTimer> BootTimer::open() {
  BootTimer t;
  t.fd_ = ::timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
  if (t.fd_ < 0) return errno_failure("timerfd_create(CLOCK_BOOTTIME)");
  return t;
}

BootTimer::BootTimer(BootTimer&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

BootTimer::~BootTimer() {
  if (fd_ >= 0) ::close(fd_);
}

Status BootTimer::arm(std::chrono::milliseconds delay) {
  // An all-zero it_value disarms a timerfd; the smallest positive one fires at once.
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delay).count();
  if (ns <= 0) ns = 1;
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  if (::timerfd_settime(fd_, 0, &spec, nullptr) != 0) return errno_failure("timerfd_settime");
  return {};
}

bool BootTimer::consume() {
  std::uint64_t expirations = 0;
  ssize_t n;
  do {
    n = ::read(fd_, &expirations, sizeof expirations);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof expirations) && expirations > 0;
}

}  // namespace bqb::cli
