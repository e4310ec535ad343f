#include "tests/support/process.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/spawn.h"
#include "tests/support/test_users.h"

namespace bqb::itest {

namespace {

/// Variables a child must see for the test run to work as configured by the caller of ctest.
constexpr const char* kPassThrough[] = {
    "PATH", "LANG", "LC_ALL", "DBUS_SESSION_BUS_ADDRESS",
    // scripts/test-sanitizers.sh: where a sanitizer build's processes write their reports.
    "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"};

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

Environment Environment::minimal() {
  Environment env;
  for (const char* name : kPassThrough) {
    if (const char* v = std::getenv(name)) env.set(name, v);
  }
  if (!env.get("PATH")) env.set("PATH", "/usr/local/bin:/usr/bin:/bin");
  return env;
}

Environment& Environment::set(const std::string& name, std::string value) {
  vars_[name] = std::move(value);
  return *this;
}

Environment& Environment::unset(const std::string& name) {
  vars_.erase(name);
  return *this;
}

std::optional<std::string> Environment::get(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Environment::entries() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : vars_) out.push_back(k + "=" + v);
  return out;
}

ExitStatus ExitStatus::from_wait_status(int status) {
  if (WIFEXITED(status)) return exited_with(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return killed_by(WTERMSIG(status));
  return {};
}

std::string ExitStatus::describe() const {
  switch (kind) {
    case Kind::exited:
      return "exited with " + std::to_string(value);
    case Kind::signaled:
      return std::string("killed by signal ") + std::to_string(value) + " (" +
             (sigabbrev_np(value) ? sigabbrev_np(value) : "?") + ")";
    case Kind::still_running:
      break;
  }
  return "still running";
}

std::ostream& operator<<(std::ostream& os, const ExitStatus& s) { return os << s.describe(); }

std::ostream& operator<<(std::ostream& os, const ProcessResult& r) {
  return os << r.status << "\n--- stdout ---\n" << r.out << "\n--- stderr ---\n" << r.err;
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

Child::Child(const std::vector<std::string>& argv, const Environment& env, const Redirects& io) {
  auto out_file = [](const std::optional<std::filesystem::path>& p) {
    return StdStream::file(p ? p->string() : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);
  };
  spawn(argv, env, StdStream::dev_null(), out_file(io.stdout_file), out_file(io.stderr_file));
}

Child::Child(const std::vector<std::string>& argv, const Environment& env, int stdout_fd,
             int stderr_fd) {
  spawn(argv, env, StdStream::dev_null(), StdStream::from_fd(stdout_fd),
        StdStream::from_fd(stderr_fd));
}

Child::Child(const std::vector<std::string>& argv, const Environment& env, int stdin_fd,
             int stdout_fd, int stderr_fd) {
  spawn(argv, env, StdStream::from_fd(stdin_fd), StdStream::from_fd(stdout_fd),
        StdStream::from_fd(stderr_fd));
}

void Child::spawn(const std::vector<std::string>& argv, const Environment& env, StdStream in,
                  StdStream out, StdStream err) {
  if (argv.empty()) throw std::invalid_argument("spawn: empty argv");
  SpawnOptions options;
  options.argv = argv;
  options.env = env.entries();
  options.std_in = std::move(in);
  options.std_out = std::move(out);
  options.std_err = std::move(err);
  // The child starts with default signal dispositions and an empty mask, whatever the test
  // runner did to its own.
  sigset_t none;
  sigemptyset(&none);
  options.signal_mask = none;
  options.default_signals = true;
  // setpriv (as_user) needs this thread's user-switching capabilities; nothing else gets any.
  std::optional<UserSwitch> user_switch;
  if (is_user_switch(argv)) user_switch.emplace();
  auto pid = spawn_process(options);
  if (!pid) throw std::runtime_error(pid.error().message);
  pid_ = *pid;
  // glibc 2.36's <sys/pidfd.h> lacks extern "C", so call the kernel directly. -1 on kernels
  // before 5.3: wait() then polls in short slices.
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

Child::~Child() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
  if (pidfd_ >= 0) ::close(pidfd_);
}

bool Child::try_reap() {
  if (status_) return true;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = ExitStatus::from_wait_status(st);
    return true;
  }
  return false;
}

bool Child::running() { return !try_reap(); }

ExitStatus Child::wait(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!try_reap()) {
    int left = remaining_ms(deadline);
    if (left == 0) return {};
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      ::poll(&p, 1, left);
    } else {
      ::poll(nullptr, 0, std::min(left, 10));
    }
  }
  return *status_;
}

bool Child::kill(int signal) {
  if (status_) return false;
  return ::kill(pid_, signal) == 0;
}

ProcessResult run_process(const std::vector<std::string>& argv, const Environment& env,
                          std::chrono::milliseconds timeout) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2: " + errno_text(errno));
  }
  ProcessResult result;
  std::optional<Child> child;
  try {
    child.emplace(argv, env, out[1], err[1]);
  } catch (...) {
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    throw;
  }
  ::close(out[1]);
  ::close(err[1]);
  result.pid = child->pid();

  auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  while (open_count > 0) {
    int left = remaining_ms(deadline);
    if (left == 0) break;
    int n = ::poll(fds, 2, left);
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  for (auto& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  result.status = child->wait(std::chrono::milliseconds(remaining_ms(deadline)));
  return result;  // a child still running is killed by ~Child
}

}  // namespace bqb::itest
