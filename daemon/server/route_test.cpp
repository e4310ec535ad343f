#include "daemon/server/route.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

using Segs = std::vector<std::string>;

TEST(RoutePattern, MatchesLiteralPaths) {
  RoutePattern p("/v1/status");
  EXPECT_EQ(p.match(Segs{"v1", "status"}), Segs{});
  EXPECT_EQ(p.match(Segs{"v1", "statuses"}), std::nullopt);
  EXPECT_EQ(p.match(Segs{"v1"}), std::nullopt);
  EXPECT_EQ(p.match(Segs{"v1", "status", "x"}), std::nullopt);
}

TEST(RoutePattern, CapturesSegments) {
  RoutePattern p("/v1/jobs/{project}/{job_id}");
  EXPECT_EQ(p.match(Segs{"v1", "jobs", "my-proj", "job 1"}), (Segs{"my-proj", "job 1"}));
  EXPECT_EQ(p.match(Segs{"v1", "jobs", "", "j"}), std::nullopt);
  EXPECT_EQ(p.match(Segs{"v1", "jobs", "p"}), std::nullopt);
}

}  // namespace
}  // namespace bqb
