// The CLI end to end in-process: argv in, exit code and output out, against a fake daemon.

#include "client/cli/cli_app.h"

#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bqbroker_version.h"
#include "tests/support/fake_daemon.h"

namespace bqb::cli {
namespace {

using bqb::testing::FakeConn;
using bqb::testing::FakeDaemon;
using bqb::testing::http_response;
using bqb::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args) {
  args.insert(args.begin(), "bqbroker");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

std::string status_body(std::string_view version) {
  return nlohmann::json{{"version", version},   {"pid", 77},
                        {"uptime_seconds", 65}, {"socket", "/the/sock"},
                        {"store", "memory"},    {"accounts", nlohmann::json::array()}}
      .dump();
}

/// A daemon answering every request with `body` (200).
FakeDaemon::Handler answering(std::string body) {
  return [body](FakeConn& c) {
    while (c.read_request()) c.write(http_response(200, "OK", body));
  };
}

TEST(Cli, HelpShowsCommandsAndTheExitCodeTable) {
  auto r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("status"));
  EXPECT_THAT(r.out, HasSubstr("--socket PATH"));
  EXPECT_THAT(r.out, HasSubstr("Exit codes:"));
  EXPECT_THAT(r.out, HasSubstr("3    daemon unreachable"));
}

TEST(Cli, EverySubcommandHasHelp) {
  auto r = run({"status", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("Usage: bqbroker status"));
  EXPECT_THAT(r.out, HasSubstr("--json"));
}

TEST(Cli, UsageErrorsExitWith2) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--no-such-option"}, {"no-such-command"}, {"status", "--bogus"}, {"--socket"}}) {
    auto r = run(args);
    EXPECT_EQ(r.code, 2) << args.front();
    EXPECT_THAT(r.err, StartsWith("bqbroker: ")) << args.front();
    EXPECT_THAT(r.err, HasSubstr("hint: run `bqbroker --help` for usage")) << args.front();
  }
}

TEST(Cli, NoCommandIsAUsageError) {
  auto r = run({});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, StartsWith("bqbroker: a command is required\n"));
  EXPECT_THAT(r.err, HasSubstr("Usage: bqbroker"));
}

TEST(Cli, StatusWithoutDaemonExits3AndSaysHowToStartIt) {
  TempDir dir;
  auto sock = (dir.path() / "none.sock").string();
  auto r = run({"--socket", sock, "status"});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, StartsWith("bqbroker: "));
  EXPECT_THAT(r.err, HasSubstr(sock));
  EXPECT_THAT(r.err, HasSubstr("hint: start it with `systemctl --user start bqbroker.socket`"));
}

TEST(Cli, StatusPrintsTheHumanForm) {
  FakeDaemon daemon(answering(status_body("0.1.0")));
  auto r = run({"--socket", daemon.socket().string(), "status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("daemon:   bqbrokerd 0.1.0, pid 77, up 1m 5s\n"));
  EXPECT_THAT(r.out, HasSubstr("accounts: none\n"));
  EXPECT_THAT(r.err, IsEmpty());
}

TEST(Cli, StatusJsonPrintsTheDaemonsJson) {
  FakeDaemon daemon(answering(status_body("0.1.0")));
  auto r = run({"--socket", daemon.socket().string(), "status", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j, nlohmann::json::parse(status_body("0.1.0")));
}

TEST(Cli, StatusReportsAnIncompleteAnswer) {
  FakeDaemon daemon(answering(R"({"pid":1})"));
  auto r = run({"--socket", daemon.socket().string(), "status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("'version'"));
}

TEST(Cli, DaemonErrorsAreShownWithTheirHintAndMappedExitCode) {
  FakeDaemon daemon([](FakeConn& c) {
    while (c.read_request()) {
      c.write(http_response(
          403, "Forbidden",
          R"({"error":{"code":"forbidden","message":"uid 65534 is not served","hint":"ask uid 1000"}})"));
    }
  });
  auto r = run({"--socket", daemon.socket().string(), "status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "bqbroker: uid 65534 is not served\nhint: ask uid 1000\n");
}

TEST(Cli, VersionWithoutDaemonIsJustTheCliVersion) {
  TempDir dir;
  auto r = run({"--socket", (dir.path() / "none.sock").string(), "--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, std::string("bqbroker ") + kVersion + "\n");
  EXPECT_THAT(r.err, IsEmpty());
}

TEST(Cli, VersionShowsTheDaemonsVersion) {
  FakeDaemon daemon(answering(status_body(kVersion)));
  auto r = run({"--socket", daemon.socket().string(), "--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr(std::string("bqbrokerd ") + kVersion + " (pid 77"));
  EXPECT_THAT(r.err, IsEmpty());
}

TEST(Cli, VersionWarnsWhenTheDaemonRunsAnotherVersion) {
  FakeDaemon daemon(answering(status_body("9.9.9")));
  auto r = run({"--socket", daemon.socket().string(), "--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("bqbrokerd 9.9.9"));
  EXPECT_THAT(r.err, StartsWith("bqbroker: warning: the running daemon is version 9.9.9"));
}

}  // namespace
}  // namespace bqb::cli
