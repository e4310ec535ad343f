// `bqbroker exec` with the real CLI and daemon: the child's metadata endpoint lives exactly as
// long as the child — through its normal exit, a signal that kills it, a SIGTERM to bqbroker,
// and bqbroker itself killed with SIGKILL (the child keeps its endpoint until it exits) — is
// refused to another uid, and serves every process of a child that forks its own.
//
// The child is `sh`, talking to the test over its standard streams: it prints "PID HOST" and
// then waits for a line on stdin, so the test decides when it ends (no sleeps).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;

constexpr std::string_view kAlice = "alice@example.com";
constexpr std::string_view kTokenPath =
    "/computeMetadata/v1/instance/service-accounts/default/token";

std::uint16_t port_of(const std::string& host) {
  return static_cast<std::uint16_t>(std::stoi(host.substr(host.rfind(':') + 1)));
}

/// @returns the status of GET token on `port`, 0 when nothing answered (refused, reset).
int token_status(std::uint16_t port) {
  TcpRequest r;
  r.target = std::string(kTokenPath);
  r.headers = {{"Metadata-Flavor", "Google"}};
  r.timeout = 10s;
  auto answer = tcp_request(port, r);
  return answer ? answer->status : 0;
}

/// @returns whether `pid` names a live process that is not a zombie. The orphaned child is
/// reaped by whoever adopted it, so a zombie counts as gone.
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

/// A pipe whose ends close with it.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0); }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (fds[0] >= 0) ::close(fds[0]);
    fds[0] = -1;
  }
  void close_write() {
    if (fds[1] >= 0) ::close(fds[1]);
    fds[1] = -1;
  }
};

/// `bqbroker exec -- sh -c SCRIPT` started in the background, with its stdin and stdout piped
/// to the test.
class RunningExec {
 public:
  RunningExec(const Environment& env, const std::string& script) {
    child_.emplace(
        std::vector<std::string>{cli_binary(), "exec", "--", "/bin/sh", "-c", script, "sh"}, env,
        in_.fds[0], out_.fds[1], out_.fds[1]);
    in_.close_read();
    out_.close_write();
  }

  /// @returns the next line the child (or bqbroker) writes, "" at EOF or after `timeout`.
  std::string line(std::chrono::milliseconds timeout = 30s) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string l = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return l;
      }
      pollfd p{out_.fds[0], POLLIN, 0};
      if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return "";
      char chunk[4096];
      const auto n = ::read(out_.fds[0], chunk, sizeof chunk);
      if (n <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  /// Writes `text` to the child's stdin.
  void send(std::string_view text) {
    EXPECT_EQ(::write(in_.fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  /// Closes the child's stdin: its next `read` returns at EOF.
  void release() { in_.close_write(); }
  Child& cli() { return *child_; }

 private:
  Pipe in_, out_;
  std::optional<Child> child_;
  std::string buffer_;
};

/// What the child reported: its pid and its endpoint.
struct Reported {
  pid_t pid = 0;
  std::string host;
};

Reported parse_report(const std::string& line) {
  Reported r;
  std::istringstream in(line);
  in >> r.pid >> r.host;
  return r;
}

constexpr std::string_view kWaitingChild = "echo \"$$ $GCE_METADATA_HOST\"; read line; exit 4";

class ExecLifetimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_.emplace(sandbox_, DaemonOptions().with_config(fmt::format(
                                  "store = \"memory\"\nlog_level = \"debug\"\n\n[oauth]\n"
                                  "revoke_uri = \"{}/revoke\"\n",
                                  fake_.base_url())));
    ASSERT_TRUE(daemon_->wait_ready());
    auto login = login_through_browser(*daemon_, fake_, std::string(kAlice));
    ASSERT_TRUE(login) << login.error();
    env_ = sandbox_.env();
    env_.set("BQBROKER_SOCKET", daemon_->socket_path().string());
  }
  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(log_free_of(daemon_->log(), fake_.issued_secrets()));
      EXPECT_TRUE(daemon_->serves_status());
    }
  }

  /// Starts the waiting child and checks that its endpoint serves a token.
  Reported start_waiting(RunningExec& exec) {
    const auto first = exec.line();
    const Reported r = parse_report(first);
    EXPECT_GT(r.pid, 0) << "the child printed: '" << first << "'";
    EXPECT_FALSE(r.host.empty()) << "the child printed: '" << first << "'";
    if (r.pid > 0 && !r.host.empty()) {
      EXPECT_EQ(token_status(port_of(r.host)), 200);
    }
    return r;
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  std::optional<DaemonProcess> daemon_;
  Environment env_;
};

TEST_F(ExecLifetimeTest, TheEndpointClosesWhenTheChildExits) {
  RunningExec exec(env_, std::string(kWaitingChild));
  const auto child = start_waiting(exec);
  ASSERT_GT(child.pid, 0);
  EXPECT_EQ(token_status(port_of(child.host)), 200) << "still open while the child waits";
  exec.release();
  EXPECT_EQ(exec.cli().wait(30s), ExitStatus::exited_with(4));
  // bqbroker has closed the session before exiting: nothing listens there any more.
  EXPECT_EQ(token_status(port_of(child.host)), 0);
}

TEST_F(ExecLifetimeTest, AChildKilledBySignalClosesItsEndpointAndGives128PlusN) {
  RunningExec exec(env_, std::string(kWaitingChild));
  const auto child = start_waiting(exec);
  ASSERT_GT(child.pid, 0);
  ASSERT_EQ(::kill(child.pid, SIGKILL), 0);
  EXPECT_EQ(exec.cli().wait(30s), ExitStatus::exited_with(128 + SIGKILL));
  EXPECT_EQ(token_status(port_of(child.host)), 0);
}

TEST_F(ExecLifetimeTest, SigtermToBqbrokerReachesTheChildAndTheEndpointLivesUntilItExits) {
  // The child decides what SIGTERM means: here it reports and waits for the test to let it exit.
  // A shell runs a trap once the `read` under way returns: the line sent wakes it, and the
  // trap's two reads block until EOF whichever `read` consumed that line.
  RunningExec exec(env_,
                   "trap 'echo term; read line; read line; exit 9' TERM; "
                   "echo \"$$ $GCE_METADATA_HOST\"; while :; do read line || exit 1; done");
  const auto child = start_waiting(exec);
  ASSERT_GT(child.pid, 0);
  ASSERT_TRUE(exec.cli().kill(SIGTERM));
  exec.send("wake\n");
  EXPECT_EQ(exec.line(), "term");
  EXPECT_EQ(token_status(port_of(child.host)), 200) << "the child still runs: so does its endpoint";
  exec.release();
  EXPECT_EQ(exec.cli().wait(30s), ExitStatus::exited_with(9));
  EXPECT_EQ(token_status(port_of(child.host)), 0);
}

// bqbroker killed with SIGKILL cannot clean up: the daemon follows the child itself, so the
// child keeps a working endpoint, and the endpoint goes when the child does.
TEST_F(ExecLifetimeTest, BqbrokerKilledLeavesTheChildItsEndpointUntilTheChildExits) {
  RunningExec exec(env_, std::string(kWaitingChild));
  const auto child = start_waiting(exec);
  ASSERT_GT(child.pid, 0);
  ASSERT_TRUE(daemon_->wait_for_log({"now lives as long as process " + std::to_string(child.pid)}));
  ASSERT_TRUE(exec.cli().kill(SIGKILL));
  ASSERT_EQ(exec.cli().wait(30s), ExitStatus::killed_by(SIGKILL));
  EXPECT_TRUE(alive(child.pid));
  EXPECT_EQ(token_status(port_of(child.host)), 200) << "the orphaned child is still served";

  exec.release();
  EXPECT_TRUE(daemon_->wait_for_log({"process " + std::to_string(child.pid) + " exited; closing"}));
  EXPECT_EQ(token_status(port_of(child.host)), 0);
}

// A shell script whose programs run side by side: each gets the token, the script's exit code
// is bqbroker's, and another uid's connection to the same endpoint gets nothing.
TEST_F(ExecLifetimeTest, AForkingChildsProgramsAreEachServedAndOtherUidsAreNot) {
  TestUsers users;
  ASSERT_TRUE(find_test_users(users));
  const std::string fetch = fmt::format(
      "curl -sS --max-time 10 -o /dev/null -w '%{{http_code}}\\n' -H 'Metadata-Flavor: Google' "
      "\"http://$GCE_METADATA_HOST{}\"",
      kTokenPath);
  RunningExec exec(env_, fmt::format("echo \"$$ $GCE_METADATA_HOST\"; read line; d=$(mktemp -d); "
                                     "{0} > \"$d/one\" & {0} > \"$d/two\" & wait; "
                                     "echo \"$(cat \"$d/one\") $(cat \"$d/two\")\"; "
                                     "rm -r \"$d\"; exit 5",
                                     fetch));
  const auto child = start_waiting(exec);
  ASSERT_GT(child.pid, 0);

  auto other =
      run_process(as_user(users.b, {"curl", "-sS", "--max-time", "10", "-H",
                                    "Metadata-Flavor: Google", "--write-out", "\n%{http_code}",
                                    fmt::format("http://{}{}", child.host, kTokenPath)}),
                  sandbox_.env());
  EXPECT_EQ(other.out.substr(other.out.rfind('\n') + 1), "000") << other;
  EXPECT_EQ(other.out.find("access_token"), std::string::npos) << other;

  exec.release();
  EXPECT_EQ(exec.line(), "200 200");
  EXPECT_EQ(exec.cli().wait(30s), ExitStatus::exited_with(5));
  EXPECT_EQ(token_status(port_of(child.host)), 0);
}

}  // namespace
}  // namespace bqb::itest
