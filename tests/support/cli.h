#pragma once
// The bqbroker CLI run as a user would run it, in a sandbox's environment.

#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/test_users.h"

namespace bqb::itest {

/// Runs the built `bqbroker` with `args` and exactly `env`, capturing its output.
ProcessResult run_cli(const std::vector<std::string>& args, const Environment& env,
                      std::chrono::milliseconds timeout = 30s);

/// The same, run as `user` (setpriv).
ProcessResult run_cli_as(const TestUser& user, const std::vector<std::string>& args,
                         const Environment& env, std::chrono::milliseconds timeout = 30s);

}  // namespace bqb::itest
