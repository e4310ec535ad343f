// `bqbroker login` with a real browser: the CLI runs $BROWSER (tests/e2e/browser_consent.mjs,
// headless Chromium through playwright-core) on the authorization URL; the browser picks the
// second account on Google's consent page, clicks Allow (or Deny), and lands on the daemon's
// loopback page, which it screenshots into the test output. The test then checks what the user
// would: the CLI's exit code and words, the page's words, and `bqbroker accounts`.
//
// Google is bqbroker-emulator with its interactive consent page, so the picker and the buttons are
// exercised.

#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_env.h"
#include "tests/e2e/google_server.h"
#include "tests/support/harness.h"

namespace bqb::e2e {
namespace {

using itest::ExitStatus;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kExitLoginDenied = 5;
constexpr std::string_view kConsentTitle = "Sign in \u2013 bqbroker emulator";
constexpr std::string_view kFirst = "first@example.com";
constexpr std::string_view kSecond = "second@example.com";

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

/// @returns true when `file` starts with the PNG signature and holds more than it.
bool is_png(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char head[8] = {};
  in.read(head, sizeof head);
  return in && std::string_view(head, 8) == "\x89PNG\r\n\x1a\n" &&
         std::filesystem::file_size(file) > 1000;
}

/// What the browser script reported, and what the CLI did meanwhile.
struct BrowserRun {
  itest::ProcessResult cli;
  json browser;  // the result line (see browser_consent.mjs); discarded when none came
  std::filesystem::path screenshot;
};

class BrowserLoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(tests_source_dir() / "node/node_modules/playwright-core"))
        << "run `npm ci` in tests/node (scripts/test.sh does)";
    ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium"))
        << "install Debian's chromium (scripts/install-deps.sh does)";
    daemon_.emplace(sandbox_, itest::DaemonOptions().with_config(daemon_config(google_)));
    ASSERT_TRUE(daemon_->wait_ready());
  }

  void TearDown() override {
    if (!daemon_) return;
    std::vector<std::string> secrets;
    if (auto tokens = google_.control("GET", "/tokens")) {
      for (const auto& r : tokens->value("refresh_tokens", json::array()))
        secrets.push_back(r.value("refresh_token", ""));
      for (const auto& a : tokens->value("access_tokens", json::array()))
        secrets.push_back(a.value("access_token", ""));
    }
    EXPECT_TRUE(itest::log_free_of(daemon_->log(), secrets));
    for (const auto& s : secrets) {
      EXPECT_FALSE(!s.empty() && contains(outputs_, s)) << "the CLI printed a token";
    }
  }

  /// Runs `bqbroker login` with the browser script as $BROWSER answering `answer` ("allow" or
  /// "deny") for the second account, and waits for both the CLI and the browser's report.
  BrowserRun login_in_browser(std::string_view answer) {
    BrowserRun run;
    run.screenshot = artifact_path(answer, ".png");
    // Files of an earlier run must not pass for this one's.
    std::filesystem::remove(run.screenshot);
    std::filesystem::remove(artifact_path(fmt::format("{}-consent", answer), ".png"));
    const auto result_file = sandbox_.unique_path("browser", ".jsonl");
    std::ofstream(result_file).close();  // exists, so that waiting on it can use inotify
    const auto profile = sandbox_.unique_path("chromium-profile", "");

    auto env = sandbox_.env();
    env.set("BQBROKER_SOCKET", daemon_->socket_path().string());
    // The CLI opens a browser only in a graphical session; Chromium itself runs headless.
    env.set("DISPLAY", ":0");
    env.set("BROWSER",
            fmt::format("node {}", (tests_source_dir() / "e2e/browser_consent.mjs").string()));
    env.set("BQB_E2E_RESULT", result_file.string());
    env.set("BQB_E2E_SCREENSHOT", run.screenshot.string());
    env.set("BQB_E2E_PROFILE", profile.string());
    env.set("BQB_E2E_ANSWER", std::string(answer));
    env.set("BQB_E2E_ACCOUNT", "1");

    run.cli = itest::run_cli(
        {"login", "--client-secrets", google_.client_secrets_file().string(), "--timeout", "60"},
        env, 90s);
    outputs_ += run.cli.out + run.cli.err;
    // The CLI returns once the daemon has the answer; the browser still screenshots the page.
    EXPECT_TRUE(itest::wait_for_line(result_file, {"\"done\":true"}, 60s)) << run.cli;
    run.browser = json::parse(itest::find_line(itest::read_file(result_file), {"\"done\":true"}),
                              nullptr, false);
    std::cout << "browser result: " << run.browser.dump() << "\n"
              << "screenshot: " << run.screenshot.string() << "\n";
    RecordProperty(fmt::format("screenshot_{}", answer), run.screenshot.string());
    return run;
  }

  /// The checks both runs share: the browser worked, saw the consent page, picked the second
  /// account on it, and ended on the daemon's loopback page.
  void expect_consent_and_loopback(const BrowserRun& run) {
    const json& b = run.browser;
    ASSERT_TRUE(b.is_object()) << "no browser report";
    ASSERT_TRUE(b.value("ok", false)) << b.dump(2);
    EXPECT_TRUE(b.value("consent_form", false)) << b.dump(2);
    EXPECT_EQ(b.value("title", ""), kConsentTitle);
    EXPECT_EQ(b["accounts"], json::array({kFirst, kSecond})) << b.dump(2);
    EXPECT_TRUE(b.value("first_checked", false)) << "the first account is preselected";
    EXPECT_EQ(b.value("picked", ""), kSecond);
    EXPECT_TRUE(is_png(b.value("consent_screenshot", ""))) << b.dump(2);
    // The loopback listener: 127.0.0.1, not the server's origin.
    const std::string origin = b.value("final_url_origin", "");
    EXPECT_TRUE(origin.starts_with("http://127.0.0.1:")) << origin;
    EXPECT_NE(origin, google_.base_url());
    EXPECT_TRUE(is_png(run.screenshot)) << run.screenshot;
  }

  json accounts() {
    auto env = sandbox_.env();
    env.set("BQBROKER_SOCKET", daemon_->socket_path().string());
    auto r = itest::run_cli({"accounts", "--json"}, env);
    outputs_ += r.out + r.err;
    EXPECT_EQ(r.status, ExitStatus::exited_with(0)) << r;
    return json::parse(r.out, nullptr, false);
  }

  itest::Sandbox sandbox_;
  GoogleServer google_{sandbox_, Consent::interactive, {std::string(kFirst), std::string(kSecond)}};
  std::optional<itest::DaemonProcess> daemon_;
  std::string outputs_;  // everything the CLI printed, for the token check
};

TEST_F(BrowserLoginTest, AllowSignsInThePickedAccount) {
  const BrowserRun run = login_in_browser("allow");
  ASSERT_EQ(run.cli.status, ExitStatus::exited_with(0)) << run.cli;
  EXPECT_TRUE(contains(run.cli.out, fmt::format("Signed in as {}", kSecond))) << run.cli;
  EXPECT_TRUE(contains(run.cli.err, "Opened the sign-in page in your browser")) << run.cli;
  expect_consent_and_loopback(run);
  EXPECT_EQ(run.browser.value("heading", ""), "Signed in");
  EXPECT_TRUE(contains(run.browser.value("text", ""), fmt::format("Signed in as {}", kSecond)))
      << run.browser.dump(2);

  const json listed = accounts();
  ASSERT_TRUE(listed.is_object());
  ASSERT_EQ(listed["accounts"].size(), 1u) << listed.dump(2);
  EXPECT_EQ(listed["accounts"][0]["email"], kSecond);
  EXPECT_EQ(listed["accounts"][0]["state"], "ok");
  EXPECT_EQ(listed["default"], kSecond);
}

TEST_F(BrowserLoginTest, DenyFailsTheLoginAndSaysSoOnThePage) {
  const BrowserRun run = login_in_browser("deny");
  EXPECT_EQ(run.cli.status, ExitStatus::exited_with(kExitLoginDenied)) << run.cli;
  EXPECT_TRUE(run.cli.out.empty()) << run.cli;
  EXPECT_TRUE(contains(run.cli.err, "access_denied")) << run.cli;
  expect_consent_and_loopback(run);
  EXPECT_EQ(run.browser.value("heading", ""), "Sign-in failed");
  EXPECT_TRUE(contains(run.browser.value("text", ""), "consent was refused in the browser"))
      << run.browser.dump(2);

  const json listed = accounts();
  ASSERT_TRUE(listed.is_object());
  EXPECT_TRUE(listed["accounts"].empty()) << listed.dump(2);
}

}  // namespace
}  // namespace bqb::e2e
