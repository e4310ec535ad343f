#include "tests/support/cli.h"

#include "tests/support/binaries.h"

namespace bqb::itest {

ProcessResult run_cli(const std::vector<std::string>& args, const Environment& env,
                      std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{cli_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, env, timeout);
}

ProcessResult run_cli_as(const TestUser& user, const std::vector<std::string>& args,
                         const Environment& env, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{cli_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(as_user(user, std::move(argv)), env, timeout);
}

}  // namespace bqb::itest
