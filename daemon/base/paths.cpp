#include "daemon/base/paths.h"

#include <cstdlib>
#include <vector>

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

namespace bqb {
namespace {

bool is_set(const std::optional<std::string>& v) { return v && !v->empty(); }

/// XDG base directories must be absolute; a relative value is treated as unset.
bool is_absolute_dir(const std::optional<std::string>& v) {
  return is_set(v) && std::filesystem::path(*v).is_absolute();
}

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> passwd_home() {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<std::size_t>(size) : 16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  if (::getpwuid_r(::getuid(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr ||
      found->pw_dir == nullptr) {
    return std::nullopt;
  }
  return std::string(found->pw_dir);
}

tl::unexpected<Error> no_home(std::string_view what, std::string_view xdg_var) {
  return fail(Errc::io_error,
              fmt::format("cannot locate the {}: ${} is not an absolute path and $HOME is unset "
                          "or relative",
                          what, xdg_var),
              fmt::format("set $HOME, or ${} to an absolute directory", xdg_var));
}

}  // namespace

std::string_view to_string(ConfigOrigin origin) {
  switch (origin) {
    case ConfigOrigin::flag:
      return "--config";
    case ConfigOrigin::env:
      return "$BQBROKER_CONFIG";
    case ConfigOrigin::xdg_config_home:
      return "$XDG_CONFIG_HOME";
    case ConfigOrigin::home:
      return "$HOME";
  }
  return "$HOME";
}

Result<ConfigLocation> resolve_config_path(const PathEnv& env,
                                           const std::optional<std::string>& flag) {
  if (is_set(flag)) return ConfigLocation{*flag, ConfigOrigin::flag};
  if (is_set(env.bqbroker_config)) return ConfigLocation{*env.bqbroker_config, ConfigOrigin::env};
  if (is_absolute_dir(env.xdg_config_home)) {
    return ConfigLocation{std::filesystem::path(*env.xdg_config_home) / "bqbroker" / "config.toml",
                          ConfigOrigin::xdg_config_home};
  }
  if (is_absolute_dir(env.home)) {
    return ConfigLocation{std::filesystem::path(*env.home) / ".config" / "bqbroker" / "config.toml",
                          ConfigOrigin::home};
  }
  return no_home("configuration file", "XDG_CONFIG_HOME");
}

Result<std::filesystem::path> resolve_state_dir(const PathEnv& env) {
  if (is_absolute_dir(env.xdg_state_home)) {
    return std::filesystem::path(*env.xdg_state_home) / "bqbroker";
  }
  if (is_absolute_dir(env.home)) {
    return std::filesystem::path(*env.home) / ".local" / "state" / "bqbroker";
  }
  return no_home("state directory", "XDG_STATE_HOME");
}

PathEnv path_env_from_environment() {
  PathEnv e{env("HOME"), env("XDG_CONFIG_HOME"), env("XDG_STATE_HOME"), env("BQBROKER_CONFIG")};
  if (!is_set(e.home)) e.home = passwd_home();
  return e;
}

}  // namespace bqb
