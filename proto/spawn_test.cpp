// The one process-spawn helper (proto/spawn.h), against real children: /bin/sh -c scripts whose
// output shows what they were given, waited for with waitpid().

#include "proto/spawn.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace bqb {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

/// @returns the waitpid() status of `pid`, once it has exited.
int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

/// @returns everything readable from `fd` until end of file; closes it.
std::string drain(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

struct Pipe {
  int read = -1, write = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read = fds[0];
    write = fds[1];
  }
};

SpawnOptions shell(const std::string& script) {
  SpawnOptions options;
  options.argv = {"/bin/sh", "-c", script};
  return options;
}

/// Runs `options` with stdout into a pipe. @returns what the child wrote, and its exit status.
std::pair<std::string, int> run_capturing(SpawnOptions options) {
  Pipe out;
  options.std_out = StdStream::from_fd(out.write);
  auto pid = spawn_process(options);
  ::close(out.write);
  if (!pid) {
    ::close(out.read);
    ADD_FAILURE() << pid.error().message;
    return {"", -1};
  }
  std::string text = drain(out.read);
  return {text, wait_for(*pid)};
}

class TempDir : public ::testing::Test {
 protected:
  static std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  bqb::testing::TempDir tmp_{"bqb-spawn-test"};
  fs::path dir_ = tmp_.path();
};

TEST(Spawn, ExitStatusIsObservedThroughWaitpid) {
  auto pid = spawn_process(shell("exit 7"));
  ASSERT_TRUE(pid) << pid.error().message;
  const int status = wait_for(*pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

TEST(Spawn, StdoutToAPipeAndArgvAsGiven) {
  SpawnOptions options = shell("printf '%s|' \"$0\" \"$@\"");
  options.argv.insert(options.argv.end(), {"zero", "one two", ""});
  auto [out, status] = run_capturing(options);
  EXPECT_EQ(out, "zero|one two||");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(Spawn, ExplicitEnvironmentIsAllTheChildSees) {
  ::setenv("BQB_SPAWN_TEST_INHERITED", "from-parent", 1);
  SpawnOptions options =
      shell("echo \"${BQB_SPAWN_TEST_GIVEN}/${BQB_SPAWN_TEST_INHERITED:-unset}\"");
  options.env = std::vector<std::string>{"BQB_SPAWN_TEST_GIVEN=given"};
  EXPECT_EQ(run_capturing(options).first, "given/unset\n");
  ::unsetenv("BQB_SPAWN_TEST_INHERITED");
}

TEST(Spawn, NoEnvironmentInheritsThisProcesss) {
  ::setenv("BQB_SPAWN_TEST_INHERITED", "from-parent", 1);
  EXPECT_EQ(run_capturing(shell("echo \"$BQB_SPAWN_TEST_INHERITED\"")).first, "from-parent\n");
  ::unsetenv("BQB_SPAWN_TEST_INHERITED");
}

TEST(Spawn, StdinFromAPipe) {
  Pipe in;
  ASSERT_EQ(::write(in.write, "typed\n", 6), 6);
  ::close(in.write);
  SpawnOptions options = shell("read line; echo \"got $line\"");
  options.std_in = StdStream::from_fd(in.read);
  auto [out, status] = run_capturing(options);
  ::close(in.read);
  EXPECT_EQ(out, "got typed\n");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(Spawn, DevNullForTheStandardStreams) {
  // The report leaves through a descriptor the caller left open (not close-on-exec): such
  // descriptors are inherited.
  Pipe side;
  const int inherited = ::fcntl(side.write, F_DUPFD, 3);
  ASSERT_GE(inherited, 3);
  // Read in a command substitution: $$ is then the shell, whose descriptors are as it got them.
  SpawnOptions options =
      shell("links=$(readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2); echo \"$links\" >&" +
            std::to_string(inherited));
  options.std_in = StdStream::dev_null();
  options.std_out = StdStream::dev_null();
  options.std_err = StdStream::dev_null();
  auto pid = spawn_process(options);
  ::close(inherited);
  ::close(side.write);
  ASSERT_TRUE(pid) << pid.error().message;
  EXPECT_EQ(drain(side.read), "/dev/null\n/dev/null\n/dev/null\n");
  EXPECT_EQ(wait_for(*pid), 0);
}

TEST_F(TempDir, StdoutAndStderrToFiles) {
  SpawnOptions options = shell("echo out; echo err >&2");
  options.std_out = StdStream::file((dir_ / "out.log").string(), O_WRONLY | O_CREAT | O_TRUNC);
  options.std_err = StdStream::file((dir_ / "err.log").string(), O_WRONLY | O_CREAT | O_TRUNC);
  auto pid = spawn_process(options);
  ASSERT_TRUE(pid) << pid.error().message;
  EXPECT_EQ(wait_for(*pid), 0);
  EXPECT_EQ(read_file(dir_ / "out.log"), "out\n");
  EXPECT_EQ(read_file(dir_ / "err.log"), "err\n");
  EXPECT_EQ(fs::status(dir_ / "out.log").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(TempDir, AppendingFileKeepsWhatWasThere) {
  { std::ofstream(dir_ / "log") << "before\n"; }
  SpawnOptions options = shell("echo after");
  options.std_out = StdStream::file((dir_ / "log").string(), O_WRONLY | O_CREAT | O_APPEND);
  auto pid = spawn_process(options);
  ASSERT_TRUE(pid) << pid.error().message;
  EXPECT_EQ(wait_for(*pid), 0);
  EXPECT_EQ(read_file(dir_ / "log"), "before\nafter\n");
}

TEST_F(TempDir, AFileThatCannotBeOpenedIsNamed) {
  SpawnOptions options = shell("exit 0");
  const std::string path = (dir_ / "missing-dir" / "log").string();
  options.std_err = StdStream::file(path, O_WRONLY | O_CREAT);
  int err = 0;
  auto pid = spawn_process(options, &err);
  ASSERT_FALSE(pid);
  EXPECT_EQ(err, ENOENT);
  EXPECT_EQ(pid.error().code, Errc::io_error);
  EXPECT_THAT(pid.error().message, HasSubstr(path));
  EXPECT_THAT(pid.error().message, HasSubstr("stderr of '/bin/sh'"));
  EXPECT_THAT(pid.error().message, HasSubstr("No such file or directory"));
}

TEST(Spawn, AMissingProgramIsAnErrorNamingIt) {
  SpawnOptions options;
  options.argv = {"bqb-spawn-test-no-such-program"};
  int err = 0;
  auto pid = spawn_process(options, &err);
  ASSERT_FALSE(pid);
  EXPECT_EQ(err, ENOENT);
  EXPECT_EQ(pid.error().code, Errc::io_error);
  EXPECT_EQ(pid.error().message,
            "cannot start 'bqb-spawn-test-no-such-program': No such file or directory");
}

TEST(Spawn, ADirectoryCannotBeRun) {
  SpawnOptions options;
  options.argv = {"/"};
  int err = 0;
  auto pid = spawn_process(options, &err);
  ASSERT_FALSE(pid);
  EXPECT_EQ(err, EACCES);
  EXPECT_THAT(pid.error().message, HasSubstr("cannot start '/': Permission denied"));
}

TEST(Spawn, PathIsSearchedOnlyWhenAsked) {
  SpawnOptions options;
  options.argv = {"sh", "-c", "exit 3"};
  options.env = std::vector<std::string>{};
  auto found = spawn_process(options);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(WEXITSTATUS(wait_for(*found)), 3);

  options.search_path = false;  // "sh" is then a path relative to the working directory
  ASSERT_FALSE(fs::exists("sh"));
  int err = 0;
  auto not_found = spawn_process(options, &err);
  ASSERT_FALSE(not_found);
  EXPECT_EQ(err, ENOENT);
}

TEST(Spawn, EmptyArgvIsRefused) {
  int err = 0;
  auto pid = spawn_process(SpawnOptions{}, &err);
  ASSERT_FALSE(pid);
  EXPECT_EQ(pid.error().code, Errc::bad_request);
  EXPECT_EQ(err, EINVAL);
}

/// @returns the hexadecimal mask of `field` (SigBlk, SigIgn) in the child's /proc status. The
/// child is sed itself, not a shell: dash clears its signal mask when it starts.
std::string child_signal_field(SpawnOptions options, const std::string& field) {
  options.argv = {"sed", "-n", "s/^" + field + ":\t*//p", "/proc/self/status"};
  auto [out, status] = run_capturing(options);
  EXPECT_EQ(status, 0);
  return out;
}

bool has_signal(const std::string& hex_mask, int signo) {
  return (std::stoull(hex_mask, nullptr, 16) >> (signo - 1)) & 1;
}

TEST(Spawn, SignalMaskIsTheOneGiven) {
  SpawnOptions options;
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR1);
  options.signal_mask = mask;
  const std::string blocked = child_signal_field(options, "SigBlk");
  EXPECT_TRUE(has_signal(blocked, SIGUSR1)) << blocked;
  EXPECT_FALSE(has_signal(blocked, SIGUSR2)) << blocked;
}

TEST(Spawn, IgnoredSignalsStayIgnoredUnlessDefaultsAreAsked) {
  struct sigaction ignore {
  }, saved{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGUSR2, &ignore, &saved), 0);
  SpawnOptions options;
  const std::string inherited = child_signal_field(options, "SigIgn");
  options.default_signals = true;
  const std::string defaults = child_signal_field(options, "SigIgn");
  ::sigaction(SIGUSR2, &saved, nullptr);
  EXPECT_TRUE(has_signal(inherited, SIGUSR2)) << inherited;
  EXPECT_FALSE(has_signal(defaults, SIGUSR2)) << defaults;
}

}  // namespace
}  // namespace bqb
