#include "daemon/tokens/token_cache.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

const system_clock::time_point kT0 = system_clock::from_time_t(1'800'000'000);

oauth::ScopeSet set_of(std::vector<std::string> v) {
  return oauth::ScopeSet::from_list(v, "test").value();
}

CachedToken token(std::string value, system_clock::time_point issued, std::chrono::seconds life) {
  return CachedToken{Secret(std::move(value)), set_of({"bigquery"}), issued, issued + life};
}

TEST(Decide, NothingCachedMustRefresh) {
  EXPECT_EQ(decide(nullptr, kT0, 300s, 0s), CacheDecision::refresh_now);
}

TEST(Decide, FreshTokenIsHandedOut) {
  auto t = token("a", kT0, 3600s);
  EXPECT_EQ(decide(&t, kT0 + 10s, 300s, 0s), CacheDecision::hand_out);
  // Up to the margin, exclusive.
  EXPECT_EQ(decide(&t, kT0 + 3600s - 301s, 300s, 0s), CacheDecision::hand_out);
}

TEST(Decide, InsideTheMarginHandsOutAndRefreshes) {
  auto t = token("a", kT0, 3600s);
  EXPECT_EQ(decide(&t, kT0 + 3600s - 300s, 300s, 0s), CacheDecision::hand_out_and_refresh);
  EXPECT_EQ(decide(&t, kT0 + 3599s, 300s, 0s), CacheDecision::hand_out_and_refresh);
}

TEST(Decide, ExpiredMustRefresh) {
  auto t = token("a", kT0, 3600s);
  EXPECT_EQ(decide(&t, kT0 + 3600s, 300s, 0s), CacheDecision::refresh_now);
  // A wall-clock jump (suspend) far past the expiry.
  EXPECT_EQ(decide(&t, kT0 + 48h, 300s, 0s), CacheDecision::refresh_now);
}

TEST(Decide, MinValidLongerThanWhatIsLeftMustRefresh) {
  auto t = token("a", kT0, 3600s);
  EXPECT_EQ(decide(&t, kT0 + 1000s, 300s, 2600s), CacheDecision::hand_out);
  EXPECT_EQ(decide(&t, kT0 + 1000s, 300s, 2601s), CacheDecision::refresh_now);
}

TEST(Decide, ShortLivedTokensAreNotRefreshedBeforeHalfTheirLife) {
  // A 60 s token with a 300 s margin would otherwise be "inside the margin" from birth.
  auto t = token("a", kT0, 60s);
  EXPECT_EQ(decide(&t, kT0 + 29s, 300s, 0s), CacheDecision::hand_out);
  EXPECT_EQ(decide(&t, kT0 + 30s, 300s, 0s), CacheDecision::hand_out_and_refresh);
}

class TokenCacheTest : public ::testing::Test {
 protected:
  system_clock::time_point now_ = kT0;
  TokenCache cache_{300s, [this] { return now_; }};
  TokenKey all_{"a@example.com", set_of({"bigquery", "bigquery.readonly"})};
  TokenKey ro_{"a@example.com", set_of({"bigquery.readonly"})};
  TokenKey other_{"b@example.com", set_of({"bigquery"})};
};

TEST_F(TokenCacheTest, LookupFollowsTheInjectedClock) {
  cache_.store(all_, token("tok-all", kT0, 3600s));
  auto l = cache_.lookup(all_, 0s);
  EXPECT_EQ(l.decision, CacheDecision::hand_out);
  ASSERT_TRUE(l.token);
  EXPECT_EQ(l.token->access_token.reveal(), "tok-all");

  now_ = kT0 + 3400s;
  l = cache_.lookup(all_, 0s);
  EXPECT_EQ(l.decision, CacheDecision::hand_out_and_refresh);
  ASSERT_TRUE(l.token);

  now_ = kT0 + 3600s;
  l = cache_.lookup(all_, 0s);
  EXPECT_EQ(l.decision, CacheDecision::refresh_now);
  EXPECT_FALSE(l.token) << "an expired token is never offered";
}

TEST_F(TokenCacheTest, RefreshNowForMinValidStillShowsTheValidToken) {
  cache_.store(all_, token("tok-all", kT0, 3600s));
  auto l = cache_.lookup(all_, 3601s);
  EXPECT_EQ(l.decision, CacheDecision::refresh_now);
  ASSERT_TRUE(l.token);
}

TEST_F(TokenCacheTest, NarrowerScopesAreSeparateEntries) {
  cache_.store(all_, token("tok-all", kT0, 3600s));
  EXPECT_EQ(cache_.lookup(ro_, 0s).decision, CacheDecision::refresh_now);
  cache_.store(ro_, token("tok-ro", kT0, 3600s));
  EXPECT_EQ(cache_.lookup(ro_, 0s).token->access_token.reveal(), "tok-ro");
  EXPECT_EQ(cache_.lookup(all_, 0s).token->access_token.reveal(), "tok-all");
}

TEST_F(TokenCacheTest, DropAccountDropsOnlyThatAccount) {
  cache_.store(all_, token("tok-all", kT0, 3600s));
  cache_.store(ro_, token("tok-ro", kT0, 3600s));
  cache_.store(other_, token("tok-b", kT0, 3600s));
  cache_.drop_account("a@example.com");
  EXPECT_EQ(cache_.size(), 1u);
  EXPECT_EQ(cache_.lookup(all_, 0s).decision, CacheDecision::refresh_now);
  EXPECT_EQ(cache_.lookup(other_, 0s).decision, CacheDecision::hand_out);
}

TEST_F(TokenCacheTest, LatestExpiryPerAccount) {
  EXPECT_FALSE(cache_.latest_expiry("a@example.com"));
  cache_.store(all_, token("tok-all", kT0, 3600s));
  cache_.store(ro_, token("tok-ro", kT0 + 100s, 3600s));
  EXPECT_EQ(cache_.latest_expiry("a@example.com"), kT0 + 3700s);
  EXPECT_FALSE(cache_.latest_expiry("b@example.com"));
}

TEST_F(TokenCacheTest, StoreReplaces) {
  cache_.store(all_, token("old", kT0, 3600s));
  cache_.store(all_, token("new", kT0 + 10s, 3600s));
  EXPECT_EQ(cache_.lookup(all_, 0s).token->access_token.reveal(), "new");
  EXPECT_EQ(cache_.size(), 1u);
}

}  // namespace
}  // namespace bqb
