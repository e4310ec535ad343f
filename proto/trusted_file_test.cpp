// Reading config.toml, client_secrets.json and ADC files (proto/trusted_file.h) from a real
// temporary directory: what passes, and each refusal with its code and wording. Ownership by
// another user is the pure rule's (private_path_test.cpp) and the integration tests'.

#include "proto/trusted_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace bqb {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

class TrustedFileTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.path(); }

  fs::path write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    EXPECT_EQ(::chmod(p.c_str(), mode), 0);
    return p;
  }

  bqb::testing::TempDir tmp_;
  fs::path dir_;
};

TEST_F(TrustedFileTest, TheUsersOwnFileIsRead) {
  auto p = write("config.toml", "log_level = \"debug\"\n", 0644);
  EXPECT_EQ(read_trusted_file(p, "the file", 1024).value(), "log_level = \"debug\"\n");
}

TEST_F(TrustedFileTest, ASymlinkIsFollowedAndWhatItNamesIsChecked) {
  auto target = write("real.toml", "x = 1\n");
  fs::create_symlink(target, dir_ / "link.toml");
  EXPECT_EQ(read_trusted_file(dir_ / "link.toml", "the file", 1024).value(), "x = 1\n");
  ASSERT_EQ(::chmod(target.c_str(), 0666), 0);
  EXPECT_EQ(read_trusted_file(dir_ / "link.toml", "the file", 1024).error().code, Errc::forbidden);
}

TEST_F(TrustedFileTest, AFileOthersMayWriteIsRefusedWithTheFix) {
  for (mode_t mode : {0620, 0602, 0666}) {
    auto p = write("cs.json", "{}", mode);
    auto r = read_trusted_file(p, "client_secrets file " + p.string(), 1024);
    ASSERT_FALSE(r) << std::oct << mode;
    EXPECT_EQ(r.error().code, Errc::forbidden);
    EXPECT_THAT(r.error().message,
                AllOf(HasSubstr("client_secrets file " + p.string() + " is refused"),
                      HasSubstr("lets other users write to it")));
    EXPECT_EQ(r.error().hint, "chmod go-w " + p.string());
  }
}

TEST_F(TrustedFileTest, AMissingFileIsNotFound) {
  auto r = read_trusted_file(dir_ / "absent.toml", "the configuration file", 1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_EQ(r.error().message, "cannot open the configuration file: No such file or directory");
}

TEST_F(TrustedFileTest, ADirectoryOrAFifoIsNotARegularFileAndDoesNotHang) {
  fs::create_directory(dir_ / "d");
  EXPECT_THAT(read_trusted_file(dir_ / "d", "the file", 1024).error().message,
              HasSubstr("the file is not a regular file"));
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  auto r = read_trusted_file(dir_ / "fifo", "the file", 1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io_error);
}

TEST_F(TrustedFileTest, AnOversizedFileIsRefusedBeforeItIsRead) {
  auto p = write("big.json", std::string(1025, ' '));
  auto r = read_trusted_file(p, "the file", 1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::payload_too_large);
  EXPECT_EQ(r.error().message, "the file is larger than the limit of 1.0 KiB");
}

}  // namespace
}  // namespace bqb
