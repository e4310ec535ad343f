#include "proto/routes.h"

#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace bqb::routes {
namespace {

TEST(Routes, TargetWithoutPlaceholdersIsThePattern) {
  EXPECT_EQ(target(kToken), "/v1/token");
}

TEST(Routes, TargetFillsPlaceholdersLeftToRight) {
  EXPECT_EQ(target(kCancelJob, {"my-project", "job%2F1"}), "/v1/jobs/my-project/job%2F1");
  EXPECT_EQ(target(kLoginRedirect, {"abc"}), "/v1/login/abc/redirect");
  EXPECT_EQ(target(kRemoveAccount, {"a%40b.example"}), "/v1/accounts/a%40b.example");
}

TEST(Routes, TargetLeavesPlaceholdersWithoutASegment) {
  EXPECT_EQ(target(kCancelJob, {"p"}), "/v1/jobs/p/{job_id}");
}

TEST(Routes, EveryOperationIsListedOnce) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto& r : kAll) {
    EXPECT_TRUE(seen.emplace(r.method, r.pattern).second) << r.method << " " << r.pattern;
    EXPECT_EQ(r.pattern.substr(0, 4), "/v1/") << r.pattern;
  }
}

}  // namespace
}  // namespace bqb::routes
