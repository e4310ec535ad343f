#include "daemon/base/uuid.h"

#include <regex>
#include <set>

#include <gtest/gtest.h>

namespace bqb {
namespace {

TEST(RandomUuid, IsAVersion4UuidAndDiffersEachTime) {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto u = random_uuid();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->size(), 36u);
    EXPECT_TRUE(std::regex_match(*u, shape)) << *u;
    seen.insert(*u);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace bqb
