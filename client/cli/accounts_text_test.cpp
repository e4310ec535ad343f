// The accounts table and the accounts API's path segment encoding.

#include "client/cli/accounts_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bqb::cli {
namespace {

using ::testing::HasSubstr;

api::AccountInfo account(std::string email, std::string state) {
  api::AccountInfo a;
  a.email = std::move(email);
  a.client_id = "cid.apps.googleusercontent.com";
  a.state = std::move(state);
  a.added_at = "2026-01-01T00:00:00Z";
  return a;
}

TEST(AccountsText, NoAccountsSaysHowToSignIn) {
  EXPECT_EQ(render_accounts({}),
            "No accounts. Sign in with: bqbroker login --client-secrets FILE\n");
}

TEST(AccountsText, MarksTheDefaultAndShowsStateProjectAndShortScopes) {
  api::AccountsResponse r;
  auto a = account("ann@example.com", "ok");
  a.is_default = true;
  a.project_id = "proj-a";
  a.scopes = {"https://www.googleapis.com/auth/bigquery", "openid"};
  auto b = account("bob@example.com", "needs_login");
  b.reason = "invalid_grant";
  r.accounts = {a, b};
  r.default_email = "ann@example.com";

  EXPECT_EQ(render_accounts(r),
            "   EMAIL            STATE                        PROJECT  SCOPES\n"
            "*  ann@example.com  ok                           proj-a   bigquery,openid\n"
            "   bob@example.com  needs_login (invalid_grant)  -        -\n");
}

TEST(AccountsText, SignedOutSaysWhetherTheTokenWasRevoked) {
  EXPECT_EQ(render_signed_out({"ann@example.com", true, std::nullopt}),
            "Signed out ann@example.com (token revoked)\n");
  EXPECT_THAT(render_signed_out({"ann@example.com", false, "timeout"}),
              ::testing::Not(HasSubstr("revoked")));
}

}  // namespace
}  // namespace bqb::cli
