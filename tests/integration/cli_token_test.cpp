// `bqbroker token` and `bqbroker exec` against the real daemon and the Google fake, as scripts and
// programs use them: the three output formats, a narrowed token, needs_login's exit code 4 with
// the hint, and exec running an unmodified Google client library (Node's google-auth-library)
// and a shell that reads CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, with the child's exit code passed on
// and nothing left behind.

#include <filesystem>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kExitNeedsLogin = 4;
constexpr std::string_view kReadOnly = "https://www.googleapis.com/auth/bigquery.readonly";

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

class CliTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_.emplace(sandbox_, DaemonOptions().with_config(
                                  fmt::format("store = \"memory\"\nlog_level = \"debug\"\n[oauth]\n"
                                              "revoke_uri = \"{}/revoke\"\n",
                                              fake_.base_url())));
    ASSERT_TRUE(daemon_->wait_ready());
  }
  void login(const std::string& email) {
    auto r = login_through_browser(*daemon_, fake_, email);
    ASSERT_TRUE(r) << r.error();
  }
  /// @returns the scope the Google fake's tokeninfo reports for `token`; "" when it is not live.
  std::string tokeninfo_scope(const std::string& token) {
    auto info = tcp_request(fake_.port(), "GET", "/tokeninfo?access_token=" + token);
    if (!info || info->status != 200) return "";
    return info->as_json().value("scope", "");
  }
  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(log_free_of(daemon_->log(), fake_.issued_secrets()));
    }
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  std::optional<DaemonProcess> daemon_;
};

TEST_F(CliTokenTest, FormatsAndANarrowedToken) {
  login("tok@example.com");
  auto raw = run_cli({"token"}, sandbox_.env());
  ASSERT_EQ(raw.status, ExitStatus::exited_with(0)) << raw;
  ASSERT_FALSE(raw.out.empty());
  ASSERT_EQ(raw.out.back(), '\n');
  const std::string token = raw.out.substr(0, raw.out.size() - 1);
  EXPECT_FALSE(tokeninfo_scope(token).empty()) << "not a live token: " << raw;
  EXPECT_TRUE(raw.err.empty()) << raw;

  auto header = run_cli({"token", "--format", "header"}, sandbox_.env());
  ASSERT_EQ(header.status, ExitStatus::exited_with(0)) << header;
  EXPECT_EQ(header.out, "Authorization: Bearer " + token + "\n") << "the cached token, as a header";

  auto narrowed = run_cli(
      {"token", "--format", "json", "--scope", "bigquery.readonly", "--account", "tok@example.com"},
      sandbox_.env());
  ASSERT_EQ(narrowed.status, ExitStatus::exited_with(0)) << narrowed;
  const json j = json::parse(narrowed.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << narrowed;
  EXPECT_EQ(j["account"], "tok@example.com");
  EXPECT_EQ(j["scopes"], json::array({kReadOnly}));
  EXPECT_NE(j["access_token"], token);
  EXPECT_EQ(tokeninfo_scope(j["access_token"]), kReadOnly);
  EXPECT_GT(j["expires_in"].get<int>(), 0);
}

TEST_F(CliTokenTest, NeedsLoginExitsFourWithTheHintAndNoToken) {
  auto none = run_cli({"token"}, sandbox_.env());
  EXPECT_EQ(none.status, ExitStatus::exited_with(kExitNeedsLogin)) << none;
  EXPECT_TRUE(none.out.empty()) << none;
  EXPECT_TRUE(contains(none.err, "bqbroker login")) << none;

  login("gone@example.com");
  fake_.control("POST", "/refresh_tokens/revoke", json::object());
  auto revoked = run_cli({"token", "--min-valid", "3000"}, sandbox_.env());
  EXPECT_EQ(revoked.status, ExitStatus::exited_with(kExitNeedsLogin)) << revoked;
  EXPECT_TRUE(revoked.out.empty()) << revoked;
  EXPECT_TRUE(contains(revoked.err, "bqbroker login")) << revoked;
}

TEST_F(CliTokenTest, ExecServesAGoogleClientLibraryAndATokenFile) {
  const std::string node_dir = BQB_NODE_TESTS_DIR;
  ASSERT_TRUE(fs::exists(node_dir + "/node_modules/google-auth-library"))
      << "run `npm ci` in " << node_dir << " (scripts/test.sh does)";
  login("exec@example.com");

  auto env = sandbox_.env();
  env.set("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/adc.json");  // exec must drop it
  auto node = run_cli({"exec", "--scope", "bigquery.readonly", "--project", "exec-project", "--",
                       "node", node_dir + "/metadata_token.mjs"},
                      env, 60s);
  ASSERT_EQ(node.status, ExitStatus::exited_with(0)) << node;
  const json out = json::parse(node.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << node;
  EXPECT_EQ(tokeninfo_scope(out.value("token", "")), kReadOnly) << node;
  EXPECT_EQ(out["project"], "exec-project") << node;
  EXPECT_EQ(out["email"], "exec@example.com") << node;

  // The gcloud-style token file: 0600, holds a live token while the child runs, gone after.
  auto shell = run_cli({"exec", "--", "sh", "-c",
                        "printf '%s\\n' \"$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\"; "
                        "stat -c %a \"$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\"; "
                        "cat \"$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\"; echo; exit 7"},
                       sandbox_.env());
  EXPECT_EQ(shell.status, ExitStatus::exited_with(7)) << "the child's exit code: " << shell;
  std::istringstream lines(shell.out);
  std::string path, mode, token;
  std::getline(lines, path);
  std::getline(lines, mode);
  std::getline(lines, token);
  EXPECT_EQ(mode, "600") << shell;
  EXPECT_FALSE(tokeninfo_scope(token).empty()) << shell;
  EXPECT_FALSE(path.empty());
  EXPECT_FALSE(fs::exists(path)) << "token file left behind: " << path;
  // Both sessions' endpoints were closed.
  EXPECT_TRUE(daemon_->wait_for_log({"metadata session", "closed"}));
}

}  // namespace
}  // namespace bqb::itest
