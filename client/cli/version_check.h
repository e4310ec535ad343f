#pragma once
// `bqbroker --version`: the CLI's version and, when a daemon answers, the daemon's.

#include <optional>
#include <string>
#include <string_view>

#include "client/cli/command.h"

namespace bqb::cli {

/// @returns the warning to show when the daemon runs another version than this CLI, else
/// nullopt.
std::optional<std::string> version_mismatch_warning(std::string_view cli_version,
                                                    std::string_view daemon_version);

/// Prints "bqbroker VERSION" and, when a daemon answers, "bqbrokerd VERSION (pid, socket)",
/// warning on ctx.err when they differ. No daemon running is not an error. @returns kExitOk.
int print_versions(Context& ctx);

}  // namespace bqb::cli
