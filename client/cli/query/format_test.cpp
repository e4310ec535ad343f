// Pure output formatting of the CLI: durations, errors, status, version warnings, exit codes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/cli/duration_text.h"
#include "client/cli/error_text.h"
#include "client/cli/exit_codes.h"
#include "client/cli/status_text.h"
#include "client/cli/version_check.h"

namespace bqb::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RenderDuration, ShowsTheTwoLargestUnits) {
  EXPECT_EQ(render_duration(0), "0s");
  EXPECT_EQ(render_duration(-5), "0s");
  EXPECT_EQ(render_duration(42), "42s");
  EXPECT_EQ(render_duration(60), "1m 0s");
  EXPECT_EQ(render_duration(5 * 60 + 3), "5m 3s");
  EXPECT_EQ(render_duration(2 * 3600 + 5 * 60 + 59), "2h 5m");
  EXPECT_EQ(render_duration(3 * 86400 + 4 * 3600 + 7), "3d 4h");
  EXPECT_EQ(render_duration(86400 + 30), "1d 0h");
  EXPECT_EQ(render_duration(400 * 86400), "400d 0h");
}

TEST(RenderError, MessageThenHintWhenPresent) {
  EXPECT_EQ(render_error(Error{Errc::io_error, "it broke", ""}), "bqbroker: it broke\n");
  EXPECT_EQ(render_error(Error{Errc::needs_login, "a@b.c needs login", "run `bqbroker login`"}),
            "bqbroker: a@b.c needs login\nhint: run `bqbroker login`\n");
  EXPECT_EQ(render_warning("careful"), "bqbroker: warning: careful\n");
}

TEST(ExitCodes, OneMappingForEveryErrorCode) {
  EXPECT_EQ(exit_code_for(Errc::daemon_unreachable), 3);
  EXPECT_EQ(exit_code_for(Errc::needs_login), 4);
  EXPECT_EQ(exit_code_for(Errc::login_denied), 5);
  EXPECT_EQ(exit_code_for(Errc::login_timeout), 5);
  // Every other code is a plain failure.
  for (int i = 0; i <= static_cast<int>(Errc::internal); ++i) {
    auto code = static_cast<Errc>(i);
    if (code == Errc::daemon_unreachable || code == Errc::needs_login ||
        code == Errc::login_denied || code == Errc::login_timeout) {
      continue;
    }
    EXPECT_EQ(exit_code_for(code), 1) << to_string(code);
  }
}

TEST(ExitCodes, HelpListsEveryCode) {
  std::string help(exit_code_help());
  for (std::string_view code : {"0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "125", "127"}) {
    EXPECT_THAT(help, HasSubstr(code));
  }
  EXPECT_THAT(help, HasSubstr("daemon unreachable"));
}

api::StatusResponse status_without_accounts() {
  api::StatusResponse s;
  s.version = "0.1.0";
  s.pid = 1234;
  s.uptime_seconds = 2 * 3600 + 5 * 60;
  s.socket = "/run/user/1000/bqbroker/bqbroker.sock";
  s.store = "secret-service";
  return s;
}

TEST(RenderStatus, WithoutAccounts) {
  EXPECT_EQ(render_status(status_without_accounts()),
            "daemon:   bqbrokerd 0.1.0, pid 1234, up 2h 5m\n"
            "socket:   /run/user/1000/bqbroker/bqbroker.sock\n"
            "store:    secret-service\n"
            "accounts: none\n");
}

TEST(RenderStatus, ShowsEachAccountsFields) {
  auto s = status_without_accounts();
  s.accounts.push_back(nlohmann::json{
      {"email", "alice@example.com"},
      {"default", true},
      {"state", "ok"},
      {"scopes",
       {"https://www.googleapis.com/auth/bigquery",
        "https://www.googleapis.com/auth/cloud-platform", "openid"}},
      {"token_expires_at", "2024-05-01T12:00:00Z"},
  });
  s.accounts.push_back(nlohmann::json{
      {"email", "bob@example.com"},
      {"state", "needs_login"},
      {"last_error", {{"code", "invalid_grant"}, {"message", "Token has been revoked."}}},
  });
  EXPECT_EQ(render_status(s),
            "daemon:   bqbrokerd 0.1.0, pid 1234, up 2h 5m\n"
            "socket:   /run/user/1000/bqbroker/bqbroker.sock\n"
            "store:    secret-service\n"
            "accounts: 2\n"
            "  alice@example.com (default)\n"
            "    state:         ok\n"
            "    scopes:        bigquery, cloud-platform, openid\n"
            "    token expires: 2024-05-01T12:00:00Z\n"
            "  bob@example.com\n"
            "    state:         needs_login\n"
            "    last error:    invalid_grant: Token has been revoked.\n");
}

TEST(RenderStatus, ToleratesOddAccountEntries) {
  auto s = status_without_accounts();
  s.store.clear();
  s.accounts.push_back(nlohmann::json{{"scopes", 3}, {"default", "yes"}, {"last_error", "boom"}});
  std::string out = render_status(s);
  EXPECT_THAT(out, HasSubstr("store:    (not reported)\n"));
  EXPECT_THAT(out, HasSubstr("  (account without email)\n"));
  EXPECT_THAT(out, HasSubstr("    last error:    boom\n"));
  EXPECT_THAT(out, Not(HasSubstr("(default)")));
  EXPECT_THAT(out, Not(HasSubstr("scopes")));
}

TEST(ShortScope, DropsOnlyGooglesCommonPrefix) {
  EXPECT_EQ(short_scope("https://www.googleapis.com/auth/bigquery"), "bigquery");
  EXPECT_EQ(short_scope("https://www.googleapis.com/auth/"), "https://www.googleapis.com/auth/");
  EXPECT_EQ(short_scope("openid"), "openid");
  EXPECT_EQ(short_scope("https://example.com/auth/x"), "https://example.com/auth/x");
}

TEST(VersionMismatch, WarnsOnlyWhenVersionsDiffer) {
  EXPECT_EQ(version_mismatch_warning("0.1.0", "0.1.0"), std::nullopt);
  auto w = version_mismatch_warning("0.2.0", "0.1.0");
  ASSERT_TRUE(w);
  EXPECT_THAT(*w, HasSubstr("daemon is version 0.1.0"));
  EXPECT_THAT(*w, HasSubstr("bqbroker is version 0.2.0"));
}

}  // namespace
}  // namespace bqb::cli
