#include "proto/spawn.h"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

extern char** environ;

namespace bqb {
namespace {

class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class Attributes {
 public:
  Attributes() { posix_spawnattr_init(&attr_); }
  ~Attributes() { posix_spawnattr_destroy(&attr_); }
  Attributes(const Attributes&) = delete;
  Attributes& operator=(const Attributes&) = delete;
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

/// Descriptors the caller opened for the child; closed once the child has its copies.
class OpenedFiles {
 public:
  OpenedFiles() = default;
  ~OpenedFiles() {
    for (int fd : fds_) ::close(fd);
  }
  OpenedFiles(const OpenedFiles&) = delete;
  OpenedFiles& operator=(const OpenedFiles&) = delete;
  void add(int fd) { fds_.push_back(fd); }

 private:
  std::vector<int> fds_;
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

const char* stream_name(int target) {
  switch (target) {
    case STDIN_FILENO:
      return "stdin";
    case STDOUT_FILENO:
      return "stdout";
    default:
      return "stderr";
  }
}

/// Adds the file action that gives the child `stream` as descriptor `target`. @returns the errno
/// of a failure (0 on success), with `message` saying what failed.
int add_stream(FileActions& actions, OpenedFiles& opened, int target, const StdStream& stream,
               const std::string& program, std::string& message) {
  int err = 0;
  switch (stream.kind) {
    case StdStream::Kind::inherit:
      return 0;
    case StdStream::Kind::dev_null:
      err = posix_spawn_file_actions_addopen(actions.get(), target, "/dev/null",
                                             target == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0);
      break;
    case StdStream::Kind::file: {
      // Opened here rather than as a file action, so that a failure names the file.
      int fd = ::open(stream.path.c_str(), stream.flags | O_CLOEXEC, stream.mode);
      if (fd < 0) {
        err = errno;
        message = "cannot open " + stream.path + " for the " + stream_name(target) + " of '" +
                  program + "': " + std::strerror(err);
        return err;
      }
      opened.add(fd);
      err = posix_spawn_file_actions_adddup2(actions.get(), fd, target);
      break;
    }
    case StdStream::Kind::fd:
      err = posix_spawn_file_actions_adddup2(actions.get(), stream.fd, target);
      break;
  }
  if (err != 0) {
    message = std::string("cannot set up the ") + stream_name(target) + " of '" + program +
              "': " + std::strerror(err);
  }
  return err;
}

/// Sets the signal mask and dispositions `options` ask for. @returns 0 or the errno of a failure.
int set_signals(Attributes& attr, const SpawnOptions& options) {
  short flags = 0;
  int err = 0;
  if (options.signal_mask) {
    err = posix_spawnattr_setsigmask(attr.get(), &*options.signal_mask);
    flags |= POSIX_SPAWN_SETSIGMASK;
  }
  if (err == 0 && options.default_signals) {
    sigset_t all;
    sigfillset(&all);
    err = posix_spawnattr_setsigdefault(attr.get(), &all);
    flags |= POSIX_SPAWN_SETSIGDEF;
  }
  if (err == 0) err = posix_spawnattr_setflags(attr.get(), flags);
  return err;
}

}  // namespace

Result<pid_t> spawn_process(const SpawnOptions& options, int* errno_out) {
  int ignored = 0;
  int& err = errno_out != nullptr ? *errno_out : ignored;
  err = 0;
  if (options.argv.empty()) {
    err = EINVAL;
    return fail(Errc::bad_request, "no program to start (empty argv)");
  }
  const std::string& program = options.argv[0];

  FileActions actions;
  OpenedFiles opened;
  std::string message;
  const std::pair<int, const StdStream*> streams[] = {{STDIN_FILENO, &options.std_in},
                                                      {STDOUT_FILENO, &options.std_out},
                                                      {STDERR_FILENO, &options.std_err}};
  for (const auto& [target, stream] : streams) {
    err = add_stream(actions, opened, target, *stream, program, message);
    if (err != 0) return fail(Errc::io_error, message);
  }
  Attributes attr;
  err = set_signals(attr, options);
  if (err != 0) {
    return fail(Errc::io_error,
                "cannot set the signals of '" + program + "': " + std::strerror(err));
  }

  auto argv = c_strings(options.argv);
  auto envp = options.env ? c_strings(*options.env) : std::vector<char*>{};
  char* const* env = options.env ? envp.data() : environ;
  pid_t pid = -1;
  err = options.search_path
            ? ::posix_spawnp(&pid, argv[0], actions.get(), attr.get(), argv.data(), env)
            : ::posix_spawn(&pid, argv[0], actions.get(), attr.get(), argv.data(), env);
  if (err != 0) {
    return fail(Errc::io_error, "cannot start '" + program + "': " + std::strerror(err));
  }
  return pid;
}

}  // namespace bqb
