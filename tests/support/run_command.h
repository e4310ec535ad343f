#pragma once
// Runs one CLI command's Action the way cli_app.cpp does, but with a Context the test controls
// (its input fd in particular), against the fake daemon's socket.

#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/cli/command.h"
#include "client/cli/error_text.h"
#include "client/cli/exit_codes.h"

namespace bqb::testing {

struct CommandRun {
  int code;
  std::string out;
  std::string err;
};

/// Parses `args` (without the command name) with `setup`'s options and runs the Action.
inline CommandRun run_command(cli::Action (*setup)(CLI::App&), std::vector<std::string> args,
                              const std::string& socket, int in_fd) {
  CLI::App app{"test"};
  cli::Action action = setup(app);
  args.insert(args.begin(), "bqbroker-command");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());  // throws on a usage error
  cli::GlobalOptions global{socket};
  std::ostringstream out, err;
  cli::Context ctx{global, out, err, in_fd};
  Result<int> result = action(ctx);
  if (!result) {
    err << cli::render_error(result.error());
    return {cli::exit_code_for(result.error().code), out.str(), err.str()};
  }
  return {*result, out.str(), err.str()};
}

}  // namespace bqb::testing
