#pragma once
// Where the daemon finds its configuration file and keeps its state, per the XDG Base Directory
// specification. Pure functions of a PathEnv (like proto/socket_path.h), so that every rule is
// tested without touching the process environment; path_env_from_environment() reads the real one.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "proto/error.h"

namespace bqb {

/// The parts of the environment the paths depend on. Empty strings count as unset.
struct PathEnv {
  std::optional<std::string> home;             // $HOME (or the passwd entry's home)
  std::optional<std::string> xdg_config_home;  // $XDG_CONFIG_HOME
  std::optional<std::string> xdg_state_home;   // $XDG_STATE_HOME
  std::optional<std::string> bqbroker_config;  // $BQBROKER_CONFIG
};

/// What chose the configuration file. Only an explicit choice makes a missing file an error.
enum class ConfigOrigin {
  flag,             // --config FILE
  env,              // $BQBROKER_CONFIG
  xdg_config_home,  // $XDG_CONFIG_HOME/bqbroker/config.toml
  home,             // $HOME/.config/bqbroker/config.toml
};

/// @returns how `origin` is shown to a person: "--config", "$BQBROKER_CONFIG", …
std::string_view to_string(ConfigOrigin origin);

struct ConfigLocation {
  std::filesystem::path path;
  ConfigOrigin origin = ConfigOrigin::home;

  /// @returns whether the user named this file (flag or environment): then it must exist.
  bool is_explicit() const { return origin == ConfigOrigin::flag || origin == ConfigOrigin::env; }

  friend bool operator==(const ConfigLocation&, const ConfigLocation&) = default;
};

/// @returns the configuration file: `flag` (--config), else $BQBROKER_CONFIG, else
///          $XDG_CONFIG_HOME/bqbroker/config.toml, else $HOME/.config/bqbroker/config.toml.
///          A relative $XDG_CONFIG_HOME is ignored, as the XDG specification says; flag and
///          $BQBROKER_CONFIG are returned as given (relative to the working directory).
///          io_error when nothing applies (no flag, no variable and no absolute $HOME). Pure.
Result<ConfigLocation> resolve_config_path(const PathEnv& env,
                                           const std::optional<std::string>& flag);

/// @returns the state directory: $XDG_STATE_HOME/bqbroker, else $HOME/.local/state/bqbroker
///          (a relative $XDG_STATE_HOME is ignored). io_error without an absolute $HOME. Pure.
Result<std::filesystem::path> resolve_state_dir(const PathEnv& env);

/// @returns this process's PathEnv. When $HOME is unset or empty, the home directory of the
///          process's uid from the passwd database is used, as a shell or systemd would.
PathEnv path_env_from_environment();

}  // namespace bqb
