// The one rule for paths that must be this user's alone (proto/private_path.h), as a pure
// decision over lstat's facts, its wording, and the client's trust in the daemon's uid.

#include "proto/private_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proto/peer_cred.h"
#include "tests/support/temp_dir.h"

namespace bqb {
namespace {

using ::testing::HasSubstr;

constexpr uid_t kMe = 1000;
constexpr uid_t kOther = 1001;

const PathRule kSocketDir{PathType::directory, kMe, kWritableByOthers};
const PathRule kSocket{PathType::socket, kMe, kWritableByOthers};
const PathRule kTokenDir{PathType::directory, kMe, kAnyAccessByOthers};

PathFacts dir(mode_t perms, uid_t owner = kMe) { return {S_IFDIR | perms, owner}; }
PathFacts sock(mode_t perms, uid_t owner = kMe) { return {S_IFSOCK | perms, owner}; }

std::optional<std::string> fake_names(uid_t uid) {
  if (uid == kOther) return "alice";
  return std::nullopt;
}

const PathRule kTrustedFile{PathType::file, kMe, kWritableByOthers, /*root_may_own=*/true};
PathFacts file(mode_t perms, uid_t owner = kMe) { return {S_IFREG | perms, owner}; }

TEST(PathFlaw, ATrustedFileIsTheUsersOrRootsAndWritableByThemAlone) {
  EXPECT_EQ(path_flaw(file(0600), kTrustedFile), std::nullopt);
  EXPECT_EQ(path_flaw(file(0644), kTrustedFile), std::nullopt);
  EXPECT_EQ(path_flaw(file(0644, 0), kTrustedFile), std::nullopt);  // e.g. in /etc
  EXPECT_EQ(path_flaw(file(0664), kTrustedFile), PathFlaw::loose_mode);
  EXPECT_EQ(path_flaw(file(0646), kTrustedFile), PathFlaw::loose_mode);
  EXPECT_EQ(path_flaw(file(0644, kOther), kTrustedFile), PathFlaw::foreign_owner);
  EXPECT_EQ(path_flaw(dir(0700), kTrustedFile), PathFlaw::wrong_type);
  // Root may own it only where the rule says so.
  EXPECT_EQ(path_flaw(dir(0700, 0), kSocketDir), PathFlaw::foreign_owner);
  EXPECT_EQ(flaw_text(PathFlaw::foreign_owner, file(0644, kOther), kTrustedFile, fake_names),
            "it belongs to uid 1001 (alice), not to you (uid 1000) or root");
  EXPECT_EQ(flaw_text(PathFlaw::wrong_type, dir(0700), kTrustedFile, fake_names),
            "it is a directory, not a regular file");
}

TEST(PathFlaw, TheUsersOwnPrivatePathsPass) {
  EXPECT_EQ(path_flaw(dir(0700), kSocketDir), std::nullopt);
  EXPECT_EQ(path_flaw(dir(0755), kSocketDir), std::nullopt);  // readable is fine for the socket
  EXPECT_EQ(path_flaw(sock(0600), kSocket), std::nullopt);
  EXPECT_EQ(path_flaw(sock(0755), kSocket), std::nullopt);
  EXPECT_EQ(path_flaw(dir(0700), kTokenDir), std::nullopt);
}

TEST(PathFlaw, AnotherOwnerIsRefusedWhateverTheMode) {
  EXPECT_EQ(path_flaw(dir(0700, kOther), kSocketDir), PathFlaw::foreign_owner);
  EXPECT_EQ(path_flaw(sock(0600, kOther), kSocket), PathFlaw::foreign_owner);
  // Root's paths are not this user's either: a root-owned /tmp/bqbroker-$UID is not ours.
  EXPECT_EQ(path_flaw(dir(0700, 0), kSocketDir), PathFlaw::foreign_owner);
  EXPECT_EQ(path_flaw(dir(0700, kOther), kTokenDir), PathFlaw::foreign_owner);
}

TEST(PathFlaw, GroupOrOtherWritableIsRefused) {
  for (mode_t perms : {0720, 0702, 0777, 0770, 01777}) {
    SCOPED_TRACE(perms);
    EXPECT_EQ(path_flaw(dir(perms), kSocketDir), PathFlaw::loose_mode);
    EXPECT_EQ(path_flaw(sock(perms), kSocket), PathFlaw::loose_mode);
  }
}

TEST(PathFlaw, AnyAccessByOthersIsRefusedWhenTheRuleSaysSo) {
  for (mode_t perms : {0710, 0701, 0750, 0755}) {
    SCOPED_TRACE(perms);
    EXPECT_EQ(path_flaw(dir(perms), kTokenDir), PathFlaw::loose_mode);
  }
}

TEST(PathFlaw, ASymlinkIsRefusedBeforeAnythingElse) {
  // lstat of a symlink reports the link: mode 0777, owned by whoever made it.
  EXPECT_EQ(path_flaw({S_IFLNK | 0777, kMe}, kSocketDir), PathFlaw::symlink);
  EXPECT_EQ(path_flaw({S_IFLNK | 0777, kMe}, kSocket), PathFlaw::symlink);
  EXPECT_EQ(path_flaw({S_IFLNK | 0777, kOther}, kSocket), PathFlaw::symlink);
}

TEST(PathFlaw, TheWrongTypeIsRefused) {
  EXPECT_EQ(path_flaw(sock(0700), kSocketDir), PathFlaw::wrong_type);
  EXPECT_EQ(path_flaw({S_IFREG | 0600, kMe}, kSocketDir), PathFlaw::wrong_type);
  EXPECT_EQ(path_flaw(dir(0700), kSocket), PathFlaw::wrong_type);
  EXPECT_EQ(path_flaw({S_IFREG | 0600, kMe}, kSocket), PathFlaw::wrong_type);
  EXPECT_EQ(path_flaw({S_IFIFO | 0600, kMe}, kSocket), PathFlaw::wrong_type);
}

TEST(FlawText, NamesTheOwnerAndTheUser) {
  EXPECT_EQ(flaw_text(PathFlaw::foreign_owner, dir(0777, kOther), kSocketDir, fake_names),
            "it belongs to uid 1001 (alice), not to you (uid 1000)");
  EXPECT_EQ(flaw_text(PathFlaw::foreign_owner, dir(0700, 4242), kSocketDir, fake_names),
            "it belongs to uid 4242, not to you (uid 1000)");
}

TEST(FlawText, SaysWhatIsWrongWithModeAndType) {
  EXPECT_EQ(flaw_text(PathFlaw::loose_mode, dir(0777), kSocketDir, fake_names),
            "its mode 0777 lets other users write to it");
  EXPECT_EQ(flaw_text(PathFlaw::loose_mode, dir(0755), kTokenDir, fake_names),
            "its mode 0755 lets other users in; it must be 0700");
  EXPECT_EQ(flaw_text(PathFlaw::symlink, {S_IFLNK | 0777, kMe}, kSocket, fake_names),
            "it is a symbolic link");
  EXPECT_EQ(flaw_text(PathFlaw::wrong_type, {S_IFREG | 0600, kMe}, kSocket, fake_names),
            "it is a regular file, not a socket");
  EXPECT_EQ(flaw_text(PathFlaw::wrong_type, sock(0600), kSocketDir, fake_names),
            "it is a socket, not a directory");
}

TEST(UserName, KnowsRoot) { EXPECT_EQ(user_name(0), "root"); }

TEST(InspectPath, ReportsTheLinkNotItsTargetAndNulloptForNothing) {
  const bqb::testing::TempDir tmp("bqb-private-path");
  const std::filesystem::path& root = tmp.path();
  std::filesystem::create_directory_symlink(root, root / "link");

  auto link = inspect_path(root / "link");
  ASSERT_TRUE(link && *link);
  EXPECT_TRUE(S_ISLNK((*link)->mode));
  auto real = inspect_path(root);
  ASSERT_TRUE(real && *real);
  EXPECT_EQ(path_flaw(**real, {PathType::directory, ::geteuid(), kAnyAccessByOthers}),
            std::nullopt);
  auto none = inspect_path(root / "none");
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, std::nullopt);
  auto below_a_file = inspect_path("/etc/passwd/x");  // ENOTDIR: an error, not "absent"
  ASSERT_FALSE(below_a_file);
  EXPECT_THAT(below_a_file.error().message, HasSubstr("/etc/passwd/x"));
}

TEST(TrustedDaemonUid, OnlyTheSameUidOrRoot) {
  EXPECT_TRUE(trusted_daemon_uid(kMe, kMe));
  EXPECT_TRUE(trusted_daemon_uid(0, kMe));
  EXPECT_TRUE(trusted_daemon_uid(0, 0));
  EXPECT_FALSE(trusted_daemon_uid(kOther, kMe));
  EXPECT_FALSE(trusted_daemon_uid(kMe, 0));  // root's client talks to root's daemon only
}

}  // namespace
}  // namespace bqb
