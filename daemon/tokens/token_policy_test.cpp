#include "daemon/tokens/token_policy.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

constexpr std::string_view kEmail = "a@example.com";
const system_clock::time_point kNow = system_clock::from_time_t(1'800'000'000);

oauth::ScopeSet scopes(const std::vector<std::string>& list) {
  return oauth::ScopeSet::from_list(list, "test").value();
}

Account account(std::string email = std::string(kEmail)) {
  Account a;
  a.email = std::move(email);
  a.client_id = "111-svc.apps.googleusercontent.com";
  a.token_uri = "https://oauth2.googleapis.com/token";
  a.scopes = {"https://www.googleapis.com/auth/bigquery",
              "https://www.googleapis.com/auth/bigquery.readonly", "openid"};
  return a;
}

TokenKey full_key() { return TokenKey{std::string(kEmail), scopes(account().scopes)}; }
TokenKey readonly_key() { return TokenKey{std::string(kEmail), scopes({"bigquery.readonly"})}; }

Error upstream(std::string message = "Google is down") {
  return Error{Errc::upstream_unavailable, std::move(message), ""};
}

class TokenPolicyTest : public ::testing::Test {
 protected:
  Result<TokenPlan> plan(std::optional<oauth::ScopeSet> wanted = std::nullopt) const {
    return policy_.plan(std::string(kEmail), account(), wanted);
  }
  TokenPolicy policy_{30s};
};

// --- plan ----------------------------------------------------------------------------------------

TEST_F(TokenPolicyTest, NoAccountAtAllIsNeedsLogin) {
  auto p = policy_.plan(std::nullopt, std::nullopt, std::nullopt);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::needs_login);
  EXPECT_EQ(p.error().message, "no account is logged in");
  EXPECT_EQ(p.error().hint, "run `bqbroker login`");
}

TEST_F(TokenPolicyTest, AnUnknownAccountIsNotFound) {
  auto p = policy_.plan(std::string("nobody@example.com"), std::nullopt, std::nullopt);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::not_found);
  EXPECT_NE(p.error().message.find("nobody@example.com"), std::string::npos);
}

TEST_F(TokenPolicyTest, NoScopesOrEmptyScopesMeanTheFullGrant) {
  for (const auto& wanted : {std::optional<oauth::ScopeSet>{}, std::optional(oauth::ScopeSet{})}) {
    auto p = plan(wanted);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->key, full_key());
    EXPECT_FALSE(p->narrower);
  }
}

TEST_F(TokenPolicyTest, ExactlyTheGrantedScopesAreNotNarrower) {
  auto p = plan(scopes({"bigquery", "bigquery.readonly", "openid"}));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->key, full_key());
  EXPECT_FALSE(p->narrower);
}

TEST_F(TokenPolicyTest, ASubsetIsItsOwnNarrowerKey) {
  auto p = plan(scopes({"bigquery.readonly"}));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->key, readonly_key());
  EXPECT_TRUE(p->narrower);
}

TEST_F(TokenPolicyTest, ScopesBeyondTheGrantAreRefused) {
  auto p = plan(scopes({"bigquery", "cloud-platform"}));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::scope_not_granted);
}

TEST_F(TokenPolicyTest, AMalformedGrantedScopeIsAnErrorNamingTheAccount) {
  Account a = account();
  a.scopes.push_back("bad scope");
  auto p = policy_.plan(std::string(kEmail), a, std::nullopt);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find(kEmail), std::string::npos) << p.error().message;
}

TEST_F(TokenPolicyTest, TheAccountsNeedsLoginStateRefusesWithItsReason) {
  Account a = account();
  a.state = AccountState::needs_login;
  a.state_reason = "revoked or expired";
  auto p = policy_.plan(std::string(kEmail), a, std::nullopt);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::needs_login);
  EXPECT_EQ(p.error().message, "account a@example.com needs a new login: revoked or expired");
  EXPECT_NE(p.error().hint.find("bqbroker login"), std::string::npos);
}

TEST_F(TokenPolicyTest, NeedsLoginWithoutAReasonSaysSoPlainly) {
  EXPECT_EQ(needs_login_error("a@example.com", "").message,
            "account a@example.com needs a new login");
}

// --- refusal -------------------------------------------------------------------------------------

TEST_F(TokenPolicyTest, ARefusalIsRememberedEvenWhileTheAccountStillSaysOk) {
  Error e = policy_.refuse(std::string(kEmail), "client deleted");
  EXPECT_EQ(e.code, Errc::needs_login);
  EXPECT_EQ(e.message, "account a@example.com needs a new login: client deleted");
  auto p = plan();
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message, e.message);
  // For every scope set of the account, and for no other account.
  EXPECT_FALSE(plan(scopes({"bigquery.readonly"})));
  EXPECT_TRUE(policy_.plan(std::string("b@example.com"), account("b@example.com"), std::nullopt));
}

TEST_F(TokenPolicyTest, ANewLoginClearsTheRefusal) {
  policy_.refuse(std::string(kEmail), "revoked or expired");
  ASSERT_FALSE(plan());
  policy_.forget_account(std::string(kEmail));
  EXPECT_TRUE(plan());
}

// --- background pause ----------------------------------------------------------------------------

TEST_F(TokenPolicyTest, ABackgroundRefreshMayStartWhenNothingFailed) {
  EXPECT_TRUE(policy_.may_refresh_in_background(full_key(), kNow));
}

TEST_F(TokenPolicyTest, AFailedRefreshPausesItsKeyUntilExactlyThePauseHasPassed) {
  policy_.refresh_failed(full_key(), upstream(), kNow);
  EXPECT_FALSE(policy_.may_refresh_in_background(full_key(), kNow));
  EXPECT_FALSE(policy_.may_refresh_in_background(full_key(), kNow + 30s - 1ns));
  EXPECT_TRUE(policy_.may_refresh_in_background(full_key(), kNow + 30s));
  EXPECT_TRUE(policy_.may_refresh_in_background(full_key(), kNow + 31s));
  // Other keys, of this account too, are not paused.
  EXPECT_TRUE(policy_.may_refresh_in_background(readonly_key(), kNow));
}

TEST_F(TokenPolicyTest, ALaterFailureMovesThePause) {
  policy_.refresh_failed(full_key(), upstream(), kNow);
  policy_.refresh_failed(full_key(), upstream(), kNow + 30s);
  EXPECT_FALSE(policy_.may_refresh_in_background(full_key(), kNow + 59s));
  EXPECT_TRUE(policy_.may_refresh_in_background(full_key(), kNow + 60s));
}

TEST_F(TokenPolicyTest, ASuccessLiftsThePauseOfItsKeyOnly) {
  policy_.refresh_failed(full_key(), upstream(), kNow);
  policy_.refresh_failed(readonly_key(), upstream(), kNow);
  policy_.refresh_succeeded(full_key());
  EXPECT_TRUE(policy_.may_refresh_in_background(full_key(), kNow));
  EXPECT_FALSE(policy_.may_refresh_in_background(readonly_key(), kNow));
}

TEST_F(TokenPolicyTest, ForgettingTheAccountLiftsItsPausesOnly) {
  TokenKey other{"b@example.com", scopes({"bigquery"})};
  policy_.refresh_failed(full_key(), upstream(), kNow);
  policy_.refresh_failed(readonly_key(), upstream(), kNow);
  policy_.refresh_failed(other, upstream(), kNow);
  policy_.forget_account(std::string(kEmail));
  EXPECT_TRUE(policy_.may_refresh_in_background(full_key(), kNow));
  EXPECT_TRUE(policy_.may_refresh_in_background(readonly_key(), kNow));
  EXPECT_FALSE(policy_.may_refresh_in_background(other, kNow));
}

// --- generations ---------------------------------------------------------------------------------

TEST_F(TokenPolicyTest, ARefreshIsCurrentUntilTheAccountIsForgotten) {
  const auto started = policy_.generation(kEmail);
  EXPECT_TRUE(policy_.is_current(kEmail, started));
  policy_.refresh_failed(full_key(), upstream(), kNow);  // failures do not change it
  policy_.refresh_succeeded(full_key());
  EXPECT_TRUE(policy_.is_current(kEmail, started));
}

TEST_F(TokenPolicyTest, LogoutAndEachNewLoginBumpTheGeneration) {
  const auto before_logout = policy_.generation(kEmail);
  policy_.forget_account(std::string(kEmail));  // logout
  EXPECT_FALSE(policy_.is_current(kEmail, before_logout));
  const auto before_login = policy_.generation(kEmail);
  EXPECT_NE(before_login, before_logout);
  policy_.forget_account(std::string(kEmail));  // a new login
  EXPECT_FALSE(policy_.is_current(kEmail, before_login));
  EXPECT_FALSE(policy_.is_current(kEmail, before_logout));
  EXPECT_TRUE(policy_.is_current(kEmail, policy_.generation(kEmail)));
}

TEST_F(TokenPolicyTest, GenerationsArePerAccount) {
  const auto other = policy_.generation("b@example.com");
  policy_.forget_account(std::string(kEmail));
  EXPECT_TRUE(policy_.is_current("b@example.com", other));
}

// --- last_error ----------------------------------------------------------------------------------

TEST_F(TokenPolicyTest, NoErrorIsRememberedAtFirst) {
  auto note = policy_.error_note(kEmail);
  EXPECT_FALSE(note.last_error);
  EXPECT_FALSE(note.last_error_at);
}

TEST_F(TokenPolicyTest, AFailureIsTheAccountsLastErrorWithItsTime) {
  policy_.refresh_failed(readonly_key(), upstream("first"), kNow);
  policy_.refresh_failed(full_key(), upstream("second"), kNow + 5s);
  auto note = policy_.error_note(kEmail);
  ASSERT_TRUE(note.last_error);
  EXPECT_EQ(note.last_error->message, "second");
  EXPECT_EQ(note.last_error_at, kNow + 5s);
  EXPECT_FALSE(policy_.error_note("b@example.com").last_error);
}

TEST_F(TokenPolicyTest, ASuccessOfAnyKeyClearsTheLastError) {
  policy_.refresh_failed(full_key(), upstream(), kNow);
  policy_.refresh_succeeded(readonly_key());
  EXPECT_FALSE(policy_.error_note(kEmail).last_error);
}

TEST_F(TokenPolicyTest, ForgettingTheAccountClearsItsLastError) {
  policy_.refresh_failed(full_key(), upstream(), kNow);
  policy_.forget_account(std::string(kEmail));
  auto note = policy_.error_note(kEmail);
  EXPECT_FALSE(note.last_error);
  EXPECT_FALSE(note.last_error_at);
}

}  // namespace
}  // namespace bqb
