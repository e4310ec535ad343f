// exec's token file: leftovers of a killed bqbroker are removed by the next one once their token
// has surely expired, and nothing else is.

#include "client/cli/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace bqb::cli {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bqb::testing::TempDir;

TEST(TokenFileName, IsExecsFileOrARewritesTemporaryFile) {
  EXPECT_TRUE(is_token_file_name("bqbroker-exec-a1B2c3.token"));
  EXPECT_TRUE(is_token_file_name("bqbroker-exec-a1B2c3.token.Zz9yY8"));
  EXPECT_FALSE(is_token_file_name("bqbroker-exec-a1B2c3.tokens"));
  EXPECT_FALSE(is_token_file_name("bqbroker-exec-a1B2c.token"));
  EXPECT_FALSE(is_token_file_name("bqbroker-exec-a1B2c3.token."));
  EXPECT_FALSE(is_token_file_name("bqbroker-exec-../x3.token"));
  EXPECT_FALSE(is_token_file_name("bqbroker.sock"));
  EXPECT_FALSE(is_token_file_name("xbqbroker-exec-a1B2c3.token"));
}

void touch(const fs::path& p, std::chrono::system_clock::time_point mtime) {
  std::ofstream(p) << "expired";
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(mtime.time_since_epoch());
  const timespec times[2] = {{s.count(), 0}, {s.count(), 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
}

TEST(TokenFile, CreateRemovesOnlyOldLeftoversOfThisUser) {
  TempDir runtime;
  ASSERT_EQ(::chmod(runtime.path().c_str(), 0700), 0);
  const auto now = std::chrono::system_clock::now();
  const auto old = now - kLeftoverAge - 1min;
  const fs::path leftover = runtime.path() / "bqbroker-exec-AAAAAA.token";
  const fs::path temp_leftover = runtime.path() / "bqbroker-exec-AAAAAA.token.BBBBBB";
  const fs::path live = runtime.path() / "bqbroker-exec-CCCCCC.token";
  const fs::path other = runtime.path() / "notes.token";
  const fs::path target = runtime.path() / "target";
  const fs::path link = runtime.path() / "bqbroker-exec-DDDDDD.token";
  touch(leftover, old);
  touch(temp_leftover, old);
  touch(live, now - kLeftoverAge + 10min);
  touch(other, old);
  touch(target, old);
  fs::create_symlink(target, link);

  auto file = TokenFile::create(runtime.path());
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_FALSE(fs::exists(leftover));
  EXPECT_FALSE(fs::exists(temp_leftover));
  EXPECT_TRUE(fs::exists(live)) << "written within the last two hours: its exec may still run";
  EXPECT_TRUE(fs::exists(other));
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_TRUE(fs::exists(target));
  EXPECT_TRUE(fs::exists(file->path()));
}

}  // namespace
}  // namespace bqb::cli
