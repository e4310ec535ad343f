// The pure decisions of `bqbroker exec`: environment, project, refresh timing, exit codes.

#include <sys/wait.h>

#include <csignal>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/cli/exec_plan.h"

namespace bqb::cli {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

api::MetadataSession session(std::optional<std::string> project) {
  return {"s1", "127.0.0.1:4000", "ann@example.com", {"scope"}, std::move(project)};
}

TEST(ExecEnvironment, SetsTheMetadataVariablesAndReplacesInheritedOnes) {
  std::vector<std::string> inherited = {"HOME=/home/ann",
                                        "GCE_METADATA_HOST=old",
                                        "GOOGLE_CLOUD_PROJECT=old-project",
                                        "NOEQUALS",
                                        "GOOGLE_APPLICATION_CREDENTIALS=/adc.json",
                                        "X=a=b"};
  EXPECT_THAT(exec_environment(inherited, session("proj"), "/run/user/1/t.token"),
              ElementsAre("HOME=/home/ann", "X=a=b", "GCE_METADATA_HOST=127.0.0.1:4000",
                          "GCE_METADATA_IP=127.0.0.1:4000", "GCE_METADATA_ROOT=127.0.0.1:4000",
                          "METADATA_SERVER_DETECTION=assume-present",
                          "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=/run/user/1/t.token",
                          "GOOGLE_CLOUD_PROJECT=proj"));
}

TEST(ExecEnvironment, KeepsAnInheritedProjectWhenTheSessionHasNone) {
  std::vector<std::string> inherited = {"GOOGLE_CLOUD_PROJECT=mine"};
  auto env = exec_environment(inherited, session(std::nullopt), "/t");
  EXPECT_EQ(find_variable(env, "GOOGLE_CLOUD_PROJECT"), "mine");
}

TEST(ExecProject, FlagThenInheritedVariableThenNothing) {
  std::vector<std::string> env = {"GOOGLE_CLOUD_PROJECT_X=no", "GOOGLE_CLOUD_PROJECT=env"};
  EXPECT_EQ(requested_project("flag", env), "flag");
  EXPECT_EQ(requested_project(std::nullopt, env), "env");
  std::vector<std::string> empty_value = {"GOOGLE_CLOUD_PROJECT="};
  EXPECT_EQ(requested_project(std::nullopt, empty_value), std::nullopt);
  EXPECT_EQ(requested_project(std::nullopt, {}), std::nullopt);
}

TEST(ExecRefresh, RewritesWhenTheMarginIsLeftButNotTooSoon) {
  RefreshPolicy p;  // 5 min margin, 10 s minimum
  EXPECT_EQ(refresh_delay(3600, p), 3300s);
  EXPECT_EQ(refresh_delay(301, p), 10s);
  EXPECT_EQ(refresh_delay(0, p), 10s);
}

TEST(ExecExitCode, ExitStatusOrSignalPlus128) {
  EXPECT_EQ(exit_code_from_wait_status(W_EXITCODE(0, 0)), 0);
  EXPECT_EQ(exit_code_from_wait_status(W_EXITCODE(3, 0)), 3);
  EXPECT_EQ(exit_code_from_wait_status(W_EXITCODE(0, SIGKILL)), 128 + SIGKILL);
}

}  // namespace
}  // namespace bqb::cli
