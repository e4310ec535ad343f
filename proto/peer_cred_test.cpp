// The parent pid as /proc/PID/stat spells it, whatever the command name holds.

#include "proto/peer_cred.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace bqb {
namespace {

TEST(ParentFromStat, ReadsTheFourthField) {
  EXPECT_EQ(parent_from_stat("1234 (bash) S 987 1234 1234 34816 0"), 987);
  EXPECT_EQ(parent_from_stat("1 (systemd) S 0 1 1 0 -1\n"), 0);
}

TEST(ParentFromStat, ACommandNameWithSpacesAndParenthesesIsSkippedWhole) {
  EXPECT_EQ(parent_from_stat("42 (a) S 1 (b)) R 77 42 42 0"), 77);
  EXPECT_EQ(parent_from_stat("42 (x y) S 5\n"), 5);
}

TEST(ParentFromStat, AnythingElseIsNotAParent) {
  EXPECT_EQ(parent_from_stat(""), std::nullopt);
  EXPECT_EQ(parent_from_stat("42 (bash"), std::nullopt);
  EXPECT_EQ(parent_from_stat("42 (bash) S"), std::nullopt);
  EXPECT_EQ(parent_from_stat("42 (bash) S x1"), std::nullopt);
  EXPECT_EQ(parent_from_stat("42 (bash) SS 1"), std::nullopt);
  EXPECT_EQ(parent_from_stat("42 (bash) S 12x"), std::nullopt);
}

TEST(ProcessParent, OfThisProcessIsItsParent) {
  EXPECT_EQ(process_parent(::getpid()), ::getppid());
  EXPECT_EQ(process_parent(-1), std::nullopt);
}

}  // namespace
}  // namespace bqb
