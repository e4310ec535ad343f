// `bqbroker exec` against a scripted daemon, with real child processes: the environment the
// child sees, the token file's life, exit codes and signals, and the metadata session's close.

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client/cli/cli_app.h"
#include "client/cli/exec_command.h"
#include "tests/support/scripted_daemon.h"

namespace bqb::cli {
namespace {

using bqb::testing::http_response;
using bqb::testing::ok;
using bqb::testing::ScriptedDaemon;
using bqb::testing::Seen;
using bqb::testing::TempDir;
using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
namespace fs = std::filesystem;

constexpr const char* kScope = "https://www.googleapis.com/auth/bigquery";

json session_body(bool with_project = true) {
  json j = {{"session_id", "s/1"},
            {"host", "127.0.0.1:40001"},
            {"account", "ann+bq@example.com"},
            {"scopes", {kScope}}};
  if (with_project) j["project"] = "proj-1";
  return j;
}

json token_body(const std::string& token, std::int64_t expires_in = 3599) {
  return {{"access_token", token},    {"token_type", "Bearer"},
          {"expires_in", expires_in}, {"expires_at", "2026-11-25T23:16:27Z"},
          {"scopes", {kScope}},       {"account", "ann+bq@example.com"}};
}

std::string no_content() { return http_response(204, "No Content", ""); }

/// A daemon that opens sessions, hands out tok-1, tok-2, … and closes sessions.
struct Daemon {
  std::atomic<int> tokens{0};
  ScriptedDaemon daemon{[this](const Seen& s) {
    if (s.line.starts_with("POST /v1/metadata-sessions")) return ok(session_body(), 201);
    if (s.line.starts_with("GET /v1/token")) {
      return ok(token_body("tok-" + std::to_string(++tokens)));
    }
    if (s.line.starts_with("PUT /v1/metadata-sessions/")) return no_content();
    if (s.line.starts_with("DELETE /v1/metadata-sessions/")) return no_content();
    return http_response(404, "Not Found", R"({"error":{"code":"not_found","message":"no"}})");
  }};
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

struct ExecRun {
  int code;
  std::string out;
  std::string err;
};

/// The request for `sh -c SCRIPT sh ARGS…`, with a small controlled environment.
ExecRequest shell(const std::string& script, std::vector<std::string> args = {}) {
  ExecRequest r;
  r.command = {"/bin/sh", "-c", script, "sh"};
  r.command.insert(r.command.end(), args.begin(), args.end());
  const char* path = std::getenv("PATH");
  r.inherited_env = {std::string("PATH=") + (path != nullptr ? path : "/usr/bin:/bin"),
                     "FOO=bar baz", "GOOGLE_APPLICATION_CREDENTIALS=/home/ann/adc.json",
                     "GCE_METADATA_HOST=stale.example:80"};
  return r;
}

ExecRun run(const ScriptedDaemon& daemon, const ExecRequest& r) {
  GlobalOptions global{daemon.socket()};
  std::ostringstream out, err;
  Context ctx{global, out, err};
  Result<int> result = run_exec(ctx, r);
  EXPECT_TRUE(result.has_value()) << "run_exec reports its failures itself";
  return {result.value_or(-1), out.str(), err.str()};
}

std::vector<fs::path> entries(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

TEST(ExecCommand, TheChildSeesTheBrokersEnvironment) {
  Daemon d;
  TempDir runtime, work;
  ExecRequest r = shell("env > \"$1\"", {(work.path() / "env").string()});
  r.account = "ann+bq@example.com";
  r.scopes = {"bigquery"};
  r.runtime_dir = runtime.path();
  auto result = run(d.daemon, r);
  ASSERT_EQ(result.code, 0) << result.err;

  auto env = lines_of(read_file(work.path() / "env"));
  EXPECT_THAT(env, Contains("GCE_METADATA_HOST=127.0.0.1:40001"));
  EXPECT_THAT(env, Contains("GCE_METADATA_IP=127.0.0.1:40001"));
  EXPECT_THAT(env, Contains("GCE_METADATA_ROOT=127.0.0.1:40001"));
  EXPECT_THAT(env, Contains("METADATA_SERVER_DETECTION=assume-present"));
  EXPECT_THAT(env, Contains("GOOGLE_CLOUD_PROJECT=proj-1"));
  EXPECT_THAT(env, Contains("FOO=bar baz"));
  EXPECT_THAT(env, Contains(StartsWith("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=" +
                                       (runtime.path() / "bqbroker-exec-").string())));
  EXPECT_THAT(env, Not(Contains(StartsWith("GOOGLE_APPLICATION_CREDENTIALS="))));
  EXPECT_THAT(env, Not(Contains(StartsWith("GCE_METADATA_HOST=stale"))));

  EXPECT_THAT(
      d.daemon.lines(),
      ElementsAre("POST /v1/metadata-sessions",
                  "GET /v1/token?account=ann%2Bbq%40example.com&scope=https%3A%2F%2Fwww."
                  "googleapis.com%2Fauth%2Fbigquery&min_valid=600",
                  "PUT /v1/metadata-sessions/s%2F1/process", "DELETE /v1/metadata-sessions/s%2F1"));
  EXPECT_EQ(d.daemon.first("POST").body,
            json({{"account", "ann+bq@example.com"}, {"scopes", {"bigquery"}}}));
}

TEST(ExecCommand, AnInheritedProjectIsAskedForAndKeptWithoutASessionProject) {
  ScriptedDaemon daemon([](const Seen& s) {
    if (s.line.starts_with("POST")) return ok(session_body(false), 201);
    if (s.line.starts_with("GET")) return ok(token_body("tok-1"));
    return no_content();
  });
  TempDir runtime, work;
  ExecRequest r =
      shell("printf %s \"$GOOGLE_CLOUD_PROJECT\" > \"$1\"", {(work.path() / "project").string()});
  r.inherited_env.push_back("GOOGLE_CLOUD_PROJECT=from-env");
  r.runtime_dir = runtime.path();
  auto result = run(daemon, r);
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(read_file(work.path() / "project"), "from-env");
  EXPECT_EQ(daemon.first("POST").body, json({{"project", "from-env"}}));
}

TEST(ExecCommand, TheTokenFileIsPrivateWhileTheChildRunsAndGoneAfter) {
  Daemon d;
  TempDir runtime, work;
  ExecRequest r = shell(
      "f=\"$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\"; printf '%s\\n' \"$f\" > \"$1\"; "
      "stat -c %a \"$f\" >> \"$1\"; cat \"$f\" >> \"$1\"",
      {(work.path() / "seen").string()});
  r.runtime_dir = runtime.path();
  auto result = run(d.daemon, r);
  ASSERT_EQ(result.code, 0) << result.err;

  auto seen = lines_of(read_file(work.path() / "seen"));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(fs::path(seen[0]).parent_path(), runtime.path());
  EXPECT_EQ(seen[1], "600");
  EXPECT_EQ(seen[2], "tok-1");
  EXPECT_FALSE(fs::exists(seen[0]));
  EXPECT_THAT(entries(runtime.path()), IsEmpty()) << "no temporary files are left behind";
  EXPECT_THAT(result.err, Not(HasSubstr("tok-1")));
}

TEST(ExecCommand, WithoutARuntimeDirTheTokenFileIsInAPrivateTemporaryDirectory) {
  Daemon d;
  TempDir work;
  ExecRequest r = shell(
      "f=\"$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\"; printf '%s\\n' \"$f\" > \"$1\"; "
      "stat -c %a \"$(dirname \"$f\")\" >> \"$1\"",
      {(work.path() / "seen").string()});
  auto result = run(d.daemon, r);
  ASSERT_EQ(result.code, 0) << result.err;
  auto seen = lines_of(read_file(work.path() / "seen"));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_THAT(fs::path(seen[0]).parent_path().filename().string(), StartsWith("bqbroker-exec-"));
  EXPECT_EQ(seen[1], "700");
  EXPECT_FALSE(fs::exists(fs::path(seen[0]).parent_path())) << "the private directory is removed";
}

TEST(ExecCommand, TheTokenFileIsRewrittenBeforeTheTokenExpires) {
  std::atomic<int> gets{0};
  ScriptedDaemon daemon([&](const Seen& s) {
    if (s.line.starts_with("POST")) return ok(session_body(), 201);
    if (s.line.starts_with("GET")) {
      int n = ++gets;
      if (n == 2) {
        return http_response(503, "Service Unavailable",
                             R"({"error":{"code":"upstream_unavailable","message":"Google )"
                             R"(did not answer"}})");
      }
      // The first token has 1 s left: with a 900 ms margin it is due for a refresh in 100 ms.
      return ok(token_body("tok-" + std::to_string(n), n == 1 ? 1 : 3600));
    }
    return no_content();
  });
  TempDir runtime;
  // Waits (bounded: 10 s) for the file to hold the token the third request hands out; the
  // second request fails and is retried.
  ExecRequest r = shell(
      "i=0; while [ \"$(cat \"$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\")\" != tok-3 ]; do "
      "i=$((i+1)); [ $i -gt 200 ] && exit 1; sleep 0.05; done");
  r.runtime_dir = runtime.path();
  r.refresh.margin = std::chrono::milliseconds(900);
  r.refresh.min_delay = std::chrono::milliseconds(0);
  r.refresh.retry_delay = std::chrono::milliseconds(50);
  auto result = run(daemon, r);
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(gets.load(), 3) << "tok-3 lives an hour: no further refresh";
  EXPECT_THAT(result.err, HasSubstr("warning: cannot refresh the token file"));
  EXPECT_THAT(result.err, HasSubstr("Google did not answer"));
  EXPECT_THAT(result.err, HasSubstr("up to date again"));
}

TEST(ExecCommand, TheChildsExitCodeIsTheExitCode) {
  Daemon d;
  TempDir runtime;
  ExecRequest r = shell("exit 7");
  r.runtime_dir = runtime.path();
  EXPECT_EQ(run(d.daemon, r).code, 7);
  EXPECT_THAT(d.daemon.lines(), Contains(StartsWith("DELETE /v1/metadata-sessions/")));
}

// The session is handed to the child, so that it lives as long as the child (the daemon checks
// that the pid is bqbroker's child; tests/integration/exec_lifetime_test.cpp).
TEST(ExecCommand, TheSessionIsHandedToTheChildRightAfterItStarts) {
  Daemon d;
  TempDir runtime, work;
  const auto pid_file = work.path() / "pid";
  ExecRequest r = shell("echo $$ > \"$1\"", {pid_file.string()});
  r.runtime_dir = runtime.path();
  ASSERT_EQ(run(d.daemon, r).code, 0);
  const auto put = d.daemon.first("PUT");
  EXPECT_EQ(put.line, "PUT /v1/metadata-sessions/s%2F1/process");
  EXPECT_EQ(put.body, json({{"pid", std::stoll(read_file(pid_file))}}));
}

// A daemon that does not take the hand-over: the child still runs, and bqbroker says what that
// means.
TEST(ExecCommand, ARefusedHandOverIsAWarningAndTheChildRuns) {
  ScriptedDaemon daemon([](const Seen& s) {
    if (s.line.starts_with("POST")) return ok(session_body(), 201);
    if (s.line.starts_with("GET")) return ok(token_body("tok-1"));
    if (s.line.starts_with("PUT")) {
      return http_response(404, "Not Found",
                           R"({"error":{"code":"not_found","message":"no such route"}})");
    }
    return no_content();
  });
  TempDir runtime;
  ExecRequest r = shell("exit 3");
  r.runtime_dir = runtime.path();
  auto result = run(daemon, r);
  EXPECT_EQ(result.code, 3);
  EXPECT_THAT(result.err, HasSubstr("the metadata endpoint will close if bqbroker exits before "
                                    "/bin/sh: no such route"));
}

// A token endpoint that issues tokens shorter than the 600 s exec asks for: the file gets the
// live token the daemon has, rather than exec failing.
TEST(ExecCommand, TokensShorterThanMinValidStillFillTheFile) {
  ScriptedDaemon daemon([](const Seen& s) {
    if (s.line.starts_with("POST")) return ok(session_body(), 201);
    if (s.line.starts_with("GET /v1/token") && s.line.find("min_valid=") != std::string::npos) {
      return http_response(
          502, "Bad Gateway",
          R"({"error":{"code":"upstream_error","message":"valid for 29 s, less than 600 s"}})");
    }
    if (s.line.starts_with("GET /v1/token")) return ok(token_body("short-1", 29));
    return no_content();
  });
  TempDir runtime, work;
  ExecRequest r =
      shell("cat \"$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\" > \"$1\"", {(work.path() / "seen").string()});
  r.runtime_dir = runtime.path();
  auto result = run(daemon, r);
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(read_file(work.path() / "seen"), "short-1");
}

TEST(ExecCommand, AChildKilledBySignalNGives128PlusN) {
  Daemon d;
  TempDir runtime;
  ExecRequest r = shell("kill -TERM $$");
  r.runtime_dir = runtime.path();
  EXPECT_EQ(run(d.daemon, r).code, 128 + SIGTERM);
  EXPECT_THAT(entries(runtime.path()), IsEmpty());
}

TEST(ExecCommand, SigtermToBqbrokerIsPassedOnAndTheChildDecides) {
  Daemon d;
  TempDir runtime, work;
  fs::path fifo = work.path() / "ready";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // The child announces itself once its trap is set; the signal then goes to the thread running
  // bqbroker exec (a signal for the whole process could land on the fake daemon's thread).
  pthread_t exec_thread = ::pthread_self();
  std::thread signaller([&] {
    std::ifstream ready(fifo);
    std::string word;
    ready >> word;
    if (word == "ready") ::pthread_kill(exec_thread, SIGTERM);
  });
  ExecRequest r = shell(
      "sleep 30 & p=$!; trap 'kill $p; printf %s \"$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\" > \"$2\"; "
      "exit 42' TERM; echo ready > \"$1\"; wait $p",
      {fifo.string(), (work.path() / "file").string()});
  r.runtime_dir = runtime.path();
  auto result = run(d.daemon, r);
  signaller.join();
  EXPECT_EQ(result.code, 42) << result.err;
  EXPECT_FALSE(fs::exists(read_file(work.path() / "file")));
  EXPECT_THAT(d.daemon.lines(), Contains(StartsWith("DELETE /v1/metadata-sessions/")));
}

TEST(ExecCommand, TheChildDoesNotInheritTheDaemonConnection) {
  Daemon d;
  TempDir runtime, work;
  ExecRequest r = shell("ls -l /proc/$$/fd/ > \"$1\"", {(work.path() / "fds").string()});
  r.runtime_dir = runtime.path();
  ASSERT_EQ(run(d.daemon, r).code, 0);
  auto fds = read_file(work.path() / "fds");
  EXPECT_THAT(fds, Not(HasSubstr("socket:"))) << fds;
  EXPECT_THAT(fds, Not(HasSubstr("bqbroker-exec-"))) << fds;
}

TEST(ExecCommand, ACommandNotFoundGives127AndCleansUp) {
  Daemon d;
  TempDir runtime;
  ExecRequest r = shell("");
  r.command = {"bqbroker-test-no-such-command", "arg"};
  r.runtime_dir = runtime.path();
  auto result = run(d.daemon, r);
  EXPECT_EQ(result.code, 127);
  EXPECT_THAT(result.err, HasSubstr("bqbroker-test-no-such-command: command not found"));
  EXPECT_THAT(entries(runtime.path()), IsEmpty());
  EXPECT_THAT(d.daemon.lines(), Contains(StartsWith("DELETE /v1/metadata-sessions/")));
}

TEST(ExecCommand, ACommandThatCannotBeRunGives126) {
  Daemon d;
  TempDir runtime, work;
  fs::path not_executable = work.path() / "script";
  std::ofstream(not_executable) << "#!/bin/sh\nexit 0\n";
  fs::permissions(not_executable, fs::perms::owner_read | fs::perms::owner_write);
  ExecRequest r = shell("");
  r.command = {not_executable.string()};
  r.runtime_dir = runtime.path();
  auto result = run(d.daemon, r);
  EXPECT_EQ(result.code, 126);
  EXPECT_THAT(result.err, HasSubstr(not_executable.string() + ": cannot run it"));
}

TEST(ExecCommand, NeedsLoginStopsBeforeTheChildRuns) {
  ScriptedDaemon daemon([](const Seen&) {
    return http_response(401, "Unauthorized",
                         R"({"error":{"code":"needs_login","message":"ann@example.com must )"
                         R"(sign in again","hint":"bqbroker login"}})");
  });
  TempDir runtime, work;
  ExecRequest r = shell("touch \"$1\"", {(work.path() / "ran").string()});
  r.runtime_dir = runtime.path();
  auto result = run(daemon, r);
  EXPECT_EQ(result.code, 4);
  EXPECT_THAT(result.err, HasSubstr("hint: bqbroker login"));
  EXPECT_FALSE(fs::exists(work.path() / "ran"));
  EXPECT_THAT(daemon.lines(), ElementsAre("POST /v1/metadata-sessions"));
  EXPECT_THAT(entries(runtime.path()), IsEmpty());
}

TEST(ExecCommand, ATokenFailureClosesTheSessionWithoutRunningTheChild) {
  ScriptedDaemon daemon([](const Seen& s) {
    if (s.line.starts_with("POST")) return ok(session_body(), 201);
    if (s.line.starts_with("GET")) {
      return http_response(503, "Service Unavailable",
                           R"({"error":{"code":"upstream_unavailable","message":"down"}})");
    }
    return no_content();
  });
  TempDir runtime, work;
  ExecRequest r = shell("touch \"$1\"", {(work.path() / "ran").string()});
  r.runtime_dir = runtime.path();
  auto result = run(daemon, r);
  EXPECT_EQ(result.code, 125) << "not 1, which the command itself could have returned";
  EXPECT_FALSE(fs::exists(work.path() / "ran"));
  EXPECT_THAT(daemon.lines(), ElementsAre(StartsWith("POST"), StartsWith("GET /v1/token"),
                                          "DELETE /v1/metadata-sessions/s%2F1"));
}

TEST(ExecCommand, NoDaemonGives3) {
  std::string socket;
  {
    Daemon gone;
    socket = gone.daemon.socket();
  }
  GlobalOptions global{socket};
  std::ostringstream out, err;
  Context ctx{global, out, err};
  auto r = shell("exit 0");
  EXPECT_EQ(run_exec(ctx, r).value_or(-1), 3);
}

TEST(ExecCli, TheCommandComesAfterDashDash) {
  Daemon d;
  TempDir work;
  std::string marker = (work.path() / "args").string();
  std::vector<std::string> args = {"bqbroker",
                                   "--socket",
                                   d.daemon.socket(),
                                   "exec",
                                   "--account",
                                   "ann@example.com",
                                   "--",
                                   "/bin/sh",
                                   "-c",
                                   "printf '%s|' \"$@\" > \"$0\"",
                                   marker,
                                   "--account",
                                   "x"};
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  EXPECT_EQ(run_cli(static_cast<int>(argv.size()), argv.data(), out, err), 0) << err.str();
  EXPECT_EQ(read_file(marker), "--account|x|");
  EXPECT_EQ(d.daemon.first("POST").body, json({{"account", "ann@example.com"}}));
}

TEST(ExecCli, WithoutACommandIsAUsageError) {
  Daemon d;
  std::vector<std::string> args = {"bqbroker", "--socket", d.daemon.socket(), "exec"};
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  EXPECT_EQ(run_cli(static_cast<int>(argv.size()), argv.data(), out, err), 2);
  EXPECT_THAT(d.daemon.lines(), IsEmpty());
}

}  // namespace
}  // namespace bqb::cli
