#include "daemon/base/paths.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

PathEnv home_only() { return PathEnv{"/home/u", std::nullopt, std::nullopt, std::nullopt}; }

TEST(ResolveConfigPath, FlagWinsOverEverything) {
  PathEnv e{"/home/u", "/xdg/config", "/xdg/state", "/env/config.toml"};
  EXPECT_EQ(resolve_config_path(e, "rel/flag.toml"),
            (ConfigLocation{"rel/flag.toml", ConfigOrigin::flag}));
}

TEST(ResolveConfigPath, EnvironmentVariableComesNext) {
  PathEnv e{"/home/u", "/xdg/config", std::nullopt, "/env/config.toml"};
  EXPECT_EQ(resolve_config_path(e, std::nullopt),
            (ConfigLocation{"/env/config.toml", ConfigOrigin::env}));
  EXPECT_EQ(resolve_config_path(e, ""), (ConfigLocation{"/env/config.toml", ConfigOrigin::env}))
      << "an empty --config counts as unset";
}

TEST(ResolveConfigPath, XdgConfigHomeThenHome) {
  PathEnv e{"/home/u", "/xdg/config", std::nullopt, ""};
  EXPECT_EQ(resolve_config_path(e, std::nullopt),
            (ConfigLocation{"/xdg/config/bqbroker/config.toml", ConfigOrigin::xdg_config_home}));
  EXPECT_EQ(resolve_config_path(home_only(), std::nullopt),
            (ConfigLocation{"/home/u/.config/bqbroker/config.toml", ConfigOrigin::home}));
}

TEST(ResolveConfigPath, RelativeOrEmptyXdgConfigHomeIsIgnored) {
  for (const char* xdg : {"", "relative/config"}) {
    PathEnv e = home_only();
    e.xdg_config_home = xdg;
    EXPECT_EQ(resolve_config_path(e, std::nullopt)->path,
              std::filesystem::path("/home/u/.config/bqbroker/config.toml"))
        << xdg;
  }
}

TEST(ResolveConfigPath, OnlyFlagAndEnvironmentAreExplicit) {
  EXPECT_TRUE((ConfigLocation{"x", ConfigOrigin::flag}.is_explicit()));
  EXPECT_TRUE((ConfigLocation{"x", ConfigOrigin::env}.is_explicit()));
  EXPECT_FALSE((ConfigLocation{"x", ConfigOrigin::xdg_config_home}.is_explicit()));
  EXPECT_FALSE((ConfigLocation{"x", ConfigOrigin::home}.is_explicit()));
  EXPECT_EQ(to_string(ConfigOrigin::env), "$BQBROKER_CONFIG");
  EXPECT_EQ(to_string(ConfigOrigin::flag), "--config");
}

TEST(ResolveConfigPath, NoHomeAndNoXdgIsAnErrorNamingBoth) {
  for (const PathEnv& e : {PathEnv{}, PathEnv{"relative-home", "rel", std::nullopt, ""}}) {
    auto r = resolve_config_path(e, std::nullopt);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::io_error);
    EXPECT_NE(r.error().message.find("$XDG_CONFIG_HOME"), std::string::npos);
    EXPECT_NE(r.error().message.find("$HOME"), std::string::npos);
  }
  // With no home at all, an explicit file still works.
  EXPECT_EQ(resolve_config_path(PathEnv{}, "/f.toml")->path, std::filesystem::path("/f.toml"));
}

TEST(ResolveStateDir, XdgStateHomeThenHome) {
  PathEnv e{"/home/u", std::nullopt, "/xdg/state", std::nullopt};
  EXPECT_EQ(resolve_state_dir(e), std::filesystem::path("/xdg/state/bqbroker"));
  EXPECT_EQ(resolve_state_dir(home_only()), std::filesystem::path("/home/u/.local/state/bqbroker"));
  e.xdg_state_home = "not/absolute";
  EXPECT_EQ(resolve_state_dir(e), std::filesystem::path("/home/u/.local/state/bqbroker"));
}

TEST(ResolveStateDir, NoHomeIsAnError) {
  auto r = resolve_state_dir(PathEnv{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io_error);
  EXPECT_NE(r.error().message.find("$XDG_STATE_HOME"), std::string::npos);
}

TEST(PathEnvFromEnvironment, ReadsTheVariables) {
  // Each test runs in its own process under gtest_discover_tests, so changing the environment
  // here affects no other test.
  ::setenv("HOME", "/home/someone", 1);
  ::setenv("XDG_CONFIG_HOME", "/c", 1);
  ::setenv("XDG_STATE_HOME", "/s", 1);
  ::setenv("BQBROKER_CONFIG", "/b.toml", 1);
  PathEnv e = path_env_from_environment();
  EXPECT_EQ(e.home, "/home/someone");
  EXPECT_EQ(e.xdg_config_home, "/c");
  EXPECT_EQ(e.xdg_state_home, "/s");
  EXPECT_EQ(e.bqbroker_config, "/b.toml");
}

TEST(PathEnvFromEnvironment, FallsBackToThePasswdHomeWithoutHome) {
  ::unsetenv("HOME");
  ::unsetenv("XDG_CONFIG_HOME");
  PathEnv e = path_env_from_environment();
  ASSERT_TRUE(e.home);
  EXPECT_TRUE(std::filesystem::path(*e.home).is_absolute()) << *e.home;
  EXPECT_FALSE(e.xdg_config_home);
}

}  // namespace
}  // namespace bqb
