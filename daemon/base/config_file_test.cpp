#include "daemon/base/config_file.h"

#include <cstdlib>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace bqb {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.path(); }

  std::filesystem::path write(const std::string& name, std::string_view text) {
    std::filesystem::path p = dir_ / name;
    std::ofstream(p) << text;
    std::filesystem::permissions(
        p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return p;
  }

  bqb::testing::TempDir tmp_;
  std::filesystem::path dir_;
};

TEST_F(ConfigFileTest, MissingDefaultFileMeansDefaults) {
  for (ConfigOrigin origin : {ConfigOrigin::xdg_config_home, ConfigOrigin::home}) {
    auto r = load_config_file({dir_ / "bqbroker" / "config.toml", origin});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->found);
    EXPECT_EQ(r->path, dir_ / "bqbroker" / "config.toml");
    EXPECT_EQ(r->config.server.max_connections, Config{}.server.max_connections);
  }
}

TEST_F(ConfigFileTest, MissingExplicitFileIsAnErrorNamingPathAndOrigin) {
  auto r = load_config_file({dir_ / "nope.toml", ConfigOrigin::env});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::config_invalid);
  EXPECT_THAT(r.error().message, AllOf(HasSubstr((dir_ / "nope.toml").string()),
                                       HasSubstr("$BQBROKER_CONFIG"), HasSubstr("does not exist")));
  r = load_config_file({dir_ / "nope.toml", ConfigOrigin::flag});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("--config"));
}

TEST_F(ConfigFileTest, ReadsAndParsesTheFile) {
  auto p = write("config.toml", "store = 'memory'\nclient_secrets = 'cs.json'\n");
  auto r = load_config_file({p, ConfigOrigin::flag});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->found);
  EXPECT_EQ(r->path, p);
  EXPECT_EQ(r->config.store, StoreKind::memory);
  EXPECT_EQ(r->config.client_secrets, dir_ / "cs.json");
}

TEST_F(ConfigFileTest, RelativePathIsMadeAbsoluteForMessagesAndRelativeKeys) {
  write("config.toml", "client_secrets = 'cs.json'\n");
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  auto r = load_config_file({"config.toml", ConfigOrigin::flag});
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->path, dir_ / "config.toml");
  EXPECT_EQ(r->config.client_secrets, dir_ / "cs.json");
}

TEST_F(ConfigFileTest, BadContentNamesTheFileKeyAndLine) {
  auto p = write("config.toml", "\n[tokens]\nrefresh_margin = 1\n");
  auto r = load_config_file({p, ConfigOrigin::home});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::config_invalid);
  EXPECT_EQ(r.error().message, "unknown key 'tokens.refresh_margin' in " + p.string() + " line 3");
}

TEST_F(ConfigFileTest, ADirectoryIsNotAConfigFile) {
  std::filesystem::create_directory(dir_ / "config.toml");
  auto r = load_config_file({dir_ / "config.toml", ConfigOrigin::home});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io_error);
  EXPECT_THAT(r.error().message, HasSubstr("is not a regular file"));
}

TEST_F(ConfigFileTest, AnOversizedFileIsRefused) {
  auto p = write("config.toml", std::string(kMaxConfigFileBytes + 1, '#'));
  auto r = load_config_file({p, ConfigOrigin::flag});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::payload_too_large);
  EXPECT_THAT(r.error().message, AllOf(HasSubstr(p.string()), HasSubstr("larger than the limit")));
}

TEST_F(ConfigFileTest, AFileOthersMayWriteIsRefusedNotIgnored) {
  auto p = write("config.toml", "log_level = \"debug\"\n");
  std::filesystem::permissions(p, std::filesystem::perms::group_write,
                               std::filesystem::perm_options::add);
  auto r = load_config_file({p, ConfigOrigin::home});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::forbidden);
  EXPECT_THAT(r.error().message,
              AllOf(HasSubstr("the configuration file " + p.string()), HasSubstr("is refused"),
                    HasSubstr("lets other users write to it")));
  EXPECT_EQ(r.error().hint, "chmod go-w " + p.string());
}

TEST_F(ConfigFileTest, AComponentThatIsAFileIsAnIoErrorNotAMissingFile) {
  auto p = write("plain", "x");
  auto r = load_config_file({p / "config.toml", ConfigOrigin::home});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io_error);
  EXPECT_THAT(r.error().message, AllOf(HasSubstr("cannot open"), HasSubstr("Not a directory")));
}

}  // namespace
}  // namespace bqb
