// The CLI's account commands against the real daemon and the fake Google, as a user runs them:
// `bqbroker login --no-browser` with the redirect address pasted back (and with the browser
// reaching the loopback listener instead), `--login-hint`, a fixed `redirect_port`, then
// `bqbroker accounts` and `bqbroker logout`. The daemon's log and the CLI's output never show a
// token, a code or the client secret.

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <regex>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;

constexpr int kExitFailed = 1;
constexpr int kExitLoginDenied = 5;

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

/// A running `bqbroker login …` whose stdin the test types into and whose stderr it reads.
class InteractiveCli {
 public:
  InteractiveCli(const std::vector<std::string>& args, const Environment& env, Sandbox& sandbox)
      : out_file_(sandbox.unique_path("cli", ".out")) {
    int in[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe2");
    }
    const int out = ::open(out_file_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    std::vector<std::string> argv{cli_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    child_.emplace(argv, env, in[0], out, err[1]);
    ::close(in[0]);
    ::close(err[1]);
    ::close(out);
    stdin_ = in[1];
    stderr_ = err[0];
  }
  ~InteractiveCli() {
    if (stdin_ >= 0) ::close(stdin_);
    ::close(stderr_);
  }

  /// Reads stderr until `pattern` matches in it or `timeout` passes. @returns the first match
  /// ("" when none came).
  std::string wait_for(const std::regex& pattern, std::chrono::milliseconds timeout = 20s) {
    const auto deadline = Clock::now() + timeout;
    std::smatch m;
    while (!std::regex_search(err_, m, pattern)) {
      pollfd p{stderr_, POLLIN, 0};
      if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return {};
      char buf[1024];
      const ssize_t n = ::read(stderr_, buf, sizeof buf);
      if (n <= 0) return {};
      err_.append(buf, static_cast<std::size_t>(n));
    }
    return m.str(0);
  }

  /// Types `line` and Enter.
  void type_line(const std::string& line) {
    const std::string text = line + "\n";
    ASSERT_EQ(::write(stdin_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }

  /// Waits for the CLI to exit; collects the rest of stderr. @returns its result.
  ProcessResult finish(std::chrono::milliseconds timeout = 30s) {
    ProcessResult r;
    r.pid = child_->pid();
    r.status = child_->wait(timeout);
    char buf[1024];
    ssize_t n;
    const int flags = ::fcntl(stderr_, F_GETFL);
    ::fcntl(stderr_, F_SETFL, flags | O_NONBLOCK);
    while ((n = ::read(stderr_, buf, sizeof buf)) > 0)
      err_.append(buf, static_cast<std::size_t>(n));
    r.err = err_;
    r.out = read_text(out_file_);
    return r;
  }

 private:
  static std::string read_text(const std::filesystem::path& p) {
    std::string text;
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    char buf[4096];
    ssize_t n;
    while (fd >= 0 && (n = ::read(fd, buf, sizeof buf)) > 0)
      text.append(buf, static_cast<std::size_t>(n));
    if (fd >= 0) ::close(fd);
    return text;
  }

  std::filesystem::path out_file_;
  std::optional<Child> child_;
  int stdin_ = -1;
  int stderr_ = -1;
  std::string err_;
};

class CliLoginTest : public ::testing::Test {
 protected:
  void start_daemon(std::string extra_config = {}) {
    DaemonOptions options;
    options.config = fmt::format(
        "store = \"memory\"\nlog_level = \"debug\"\n[oauth]\n"
        "revoke_uri = \"{}/revoke\"\n{}",
        fake_.base_url(), extra_config);
    daemon_.emplace(sandbox_, options);
    ASSERT_TRUE(daemon_->wait_ready());
  }

  /// The authorization URL the CLI printed: it points at the fake's authorization endpoint.
  std::regex auth_url_pattern() const {
    return std::regex(fmt::format(R"(http://127\.0\.0\.1:{}/o/oauth2/[^\s]+)", fake_.port()));
  }

  std::vector<std::string> login_args() const {
    return {"login", "--no-browser", "--client-secrets", fake_.client_secrets_file().string()};
  }

  ProcessResult cli(const std::vector<std::string>& args) {
    auto r = run_cli(args, sandbox_.env());
    outputs_ += r.out + r.err;
    return r;
  }

  void TearDown() override {
    if (!daemon_) return;
    auto secrets = fake_.issued_secrets();
    EXPECT_TRUE(log_free_of(daemon_->log(), secrets));
    for (const auto& s : secrets) {
      EXPECT_FALSE(contains(outputs_, s)) << "the CLI printed a secret";
    }
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  std::optional<DaemonProcess> daemon_;
  std::string outputs_;  // everything the CLI printed, for the secret check
};

TEST_F(CliLoginTest, PastedRedirectThenAccountsThenLogout) {
  start_daemon();
  fake_.consent("allow", "alice@example.com");
  InteractiveCli login(login_args(), sandbox_.env(), sandbox_);
  const std::string auth_url = login.wait_for(auth_url_pattern());
  ASSERT_FALSE(auth_url.empty()) << login.finish(1s);
  // The browser is elsewhere: the user pastes the address it was sent to.
  const std::string location = fake_.authorize(auth_url);
  ASSERT_FALSE(location.empty());
  login.type_line(location);
  auto r = login.finish();
  outputs_ += r.out + r.err;
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  EXPECT_TRUE(contains(r.out, "Signed in as alice@example.com")) << r;
  const auto redirect = boost::urls::parse_uri(location);
  ASSERT_TRUE(redirect && redirect->params().contains("code")) << location;
  const std::string code = (*redirect->params().find("code")).value;
  EXPECT_FALSE(contains(r.out + r.err, code)) << "the authorization code was echoed";
  EXPECT_TRUE(log_free_of(daemon_->log(), {code}));

  auto accounts = cli({"accounts", "--json"});
  ASSERT_EQ(accounts.status, ExitStatus::exited_with(0)) << accounts;
  const json listed = json::parse(accounts.out, nullptr, false);
  ASSERT_TRUE(listed.is_object()) << accounts;
  ASSERT_EQ(listed["accounts"].size(), 1u) << accounts;
  EXPECT_EQ(listed["accounts"][0]["email"], "alice@example.com");
  EXPECT_EQ(listed["default"], "alice@example.com");

  auto human = cli({"accounts"});
  ASSERT_EQ(human.status, ExitStatus::exited_with(0)) << human;
  EXPECT_TRUE(contains(human.out, "alice@example.com")) << human;

  auto out = cli({"logout", "alice@example.com"});
  ASSERT_EQ(out.status, ExitStatus::exited_with(0)) << out;
  // The refresh token was revoked at the fake, and the account is gone.
  EXPECT_EQ(fake_.control("GET", "/stats")["requests"]["revoke"], 1) << out;
  auto after = cli({"accounts", "--json"});
  ASSERT_EQ(after.status, ExitStatus::exited_with(0)) << after;
  EXPECT_TRUE(json::parse(after.out, nullptr, false)["accounts"].empty()) << after;
}

TEST_F(CliLoginTest, BrowserReachesTheLoopbackListenerWhileTheCliWaits) {
  start_daemon();
  fake_.consent("allow", "loop@example.com");
  InteractiveCli login(login_args(), sandbox_.env(), sandbox_);
  const std::string auth_url = login.wait_for(auth_url_pattern());
  ASSERT_FALSE(auth_url.empty()) << login.finish(1s);
  // The browser follows the fake's redirect to the daemon's loopback listener; nothing is pasted.
  const std::string location = fake_.authorize(auth_url);
  auto page = get_url(location);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->status, 200) << page->body;
  auto r = login.finish();
  outputs_ += r.out + r.err;
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  EXPECT_TRUE(contains(r.out, "Signed in as loop@example.com")) << r;
}

TEST_F(CliLoginTest, LoginHintPreselectsTheAccount) {
  start_daemon();
  // The consent screen signs in whoever login_hint names, as Google's account chooser does.
  fake_.control("POST", "/consent",
                {{"mode", "allow"}, {"email", "someone@example.com"}, {"use_login_hint", true}});
  auto args = login_args();
  args.insert(args.end(), {"--login-hint", "bob@example.com"});
  InteractiveCli login(args, sandbox_.env(), sandbox_);
  const std::string auth_url = login.wait_for(auth_url_pattern());
  ASSERT_FALSE(auth_url.empty()) << login.finish(1s);
  auto u = boost::urls::parse_absolute_uri(auth_url);
  ASSERT_TRUE(u);
  ASSERT_NE(u->params().find("login_hint"), u->params().end()) << auth_url;
  EXPECT_EQ((*u->params().find("login_hint")).value, "bob@example.com");
  login.type_line(fake_.authorize(auth_url));
  auto r = login.finish();
  outputs_ += r.out + r.err;
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  EXPECT_TRUE(contains(r.out, "Signed in as bob@example.com")) << r;
}

TEST_F(CliLoginTest, ConfiguredRedirectPortIsUsed) {
  const std::uint16_t port = free_port();
  start_daemon(fmt::format("redirect_port = {}\n", port));
  fake_.consent("allow", "fixed@example.com");
  InteractiveCli login(login_args(), sandbox_.env(), sandbox_);
  const std::string auth_url = login.wait_for(auth_url_pattern());
  ASSERT_FALSE(auth_url.empty()) << login.finish(1s);
  const std::string location = fake_.authorize(auth_url);
  EXPECT_EQ(location.rfind(fmt::format("http://127.0.0.1:{}/", port), 0), 0u) << location;
  ASSERT_TRUE(get_url(location));
  auto r = login.finish();
  outputs_ += r.out + r.err;
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
}

TEST_F(CliLoginTest, DeniedConsentIsAClearFailure) {
  start_daemon();
  fake_.consent("deny", "no@example.com");
  InteractiveCli login(login_args(), sandbox_.env(), sandbox_);
  const std::string auth_url = login.wait_for(auth_url_pattern());
  ASSERT_FALSE(auth_url.empty()) << login.finish(1s);
  login.type_line(fake_.authorize(auth_url));
  auto r = login.finish();
  outputs_ += r.out + r.err;
  EXPECT_EQ(r.status, ExitStatus::exited_with(kExitLoginDenied)) << r;
  EXPECT_TRUE(contains(r.err, "denied")) << r;
  auto accounts = cli({"accounts", "--json"});
  EXPECT_TRUE(json::parse(accounts.out, nullptr, false)["accounts"].empty()) << accounts;
}

TEST_F(CliLoginTest, LogoutWithoutAccountsSaysSo) {
  start_daemon();
  auto r = cli({"logout"});
  EXPECT_EQ(r.status, ExitStatus::exited_with(kExitFailed)) << r;
  EXPECT_TRUE(contains(r.err, "no account is signed in")) << r;
}

}  // namespace
}  // namespace bqb::itest
