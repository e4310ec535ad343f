#include "daemon/notify/needs_login_episodes.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;
const NeedsLoginEpisodes::Clock::time_point t0{};

TEST(NeedsLoginEpisodes, NothingIsDueWithinTheGracePeriod) {
  NeedsLoginEpisodes e(300s);
  e.needs_login("a@example.com", t0);
  EXPECT_EQ(e.due(t0), Strings{});
  EXPECT_EQ(e.due(t0 + 299s), Strings{});
  EXPECT_EQ(e.next_due(), t0 + 300s);
  EXPECT_EQ(e.due(t0 + 300s), Strings{"a@example.com"});
}

TEST(NeedsLoginEpisodes, ABlipRepairedWithinTheGracePeriodNeverReminds) {
  NeedsLoginEpisodes e(300s);
  e.needs_login("a@example.com", t0);
  e.left("a@example.com");
  EXPECT_EQ(e.next_due(), std::nullopt);
  EXPECT_EQ(e.due(t0 + 1h), Strings{});
}

TEST(NeedsLoginEpisodes, OneReminderPerEpisode) {
  NeedsLoginEpisodes e(300s);
  e.needs_login("a@example.com", t0);
  EXPECT_EQ(e.due(t0 + 301s), Strings{"a@example.com"});
  // Further refusals of the same account are the same episode, and keep its start.
  e.needs_login("a@example.com", t0 + 400s);
  EXPECT_EQ(e.due(t0 + 10h), Strings{});
  EXPECT_EQ(e.next_due(), std::nullopt);
}

TEST(NeedsLoginEpisodes, ARepeatedRefusalKeepsTheEpisodesStart) {
  NeedsLoginEpisodes e(300s);
  e.needs_login("a@example.com", t0);
  e.needs_login("a@example.com", t0 + 200s);
  EXPECT_EQ(e.next_due(), t0 + 300s);
  EXPECT_EQ(e.due(t0 + 300s), Strings{"a@example.com"});
}

TEST(NeedsLoginEpisodes, OkThenNeedsLoginAgainIsASecondEpisode) {
  NeedsLoginEpisodes e(300s);
  e.needs_login("a@example.com", t0);
  EXPECT_EQ(e.due(t0 + 300s), Strings{"a@example.com"});
  e.left("a@example.com");
  e.needs_login("a@example.com", t0 + 1h);
  EXPECT_EQ(e.due(t0 + 1h + 299s), Strings{});
  EXPECT_EQ(e.due(t0 + 1h + 300s), Strings{"a@example.com"});
  EXPECT_EQ(e.due(t0 + 2h), Strings{});
}

TEST(NeedsLoginEpisodes, AccountsHaveEpisodesOfTheirOwn) {
  NeedsLoginEpisodes e(60s);
  e.needs_login("b@example.com", t0 + 10s);
  e.needs_login("a@example.com", t0 + 30s);
  EXPECT_EQ(e.next_due(), t0 + 70s);
  EXPECT_EQ(e.due(t0 + 70s), Strings{"b@example.com"});
  EXPECT_EQ(e.next_due(), t0 + 90s);
  e.left("b@example.com");
  EXPECT_EQ(e.due(t0 + 90s), Strings{"a@example.com"});
}

TEST(NeedsLoginEpisodes, ZeroGraceRemindsAtOnce) {
  NeedsLoginEpisodes e(0s);
  e.needs_login("a@example.com", t0);
  EXPECT_EQ(e.next_due(), t0);
  EXPECT_EQ(e.due(t0), Strings{"a@example.com"});
}

}  // namespace
}  // namespace bqb
