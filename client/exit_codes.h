#pragma once
// The one table of the CLI's exit codes (also in --help and the README).

namespace bqb::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,            // the operation failed
  kExitUsage = 2,             // usage error (CLI11's own codes are mapped here)
  kExitUnreachable = 3,       // the daemon is not running or does not answer
  kExitNeedsLogin = 4,        // the account needs `bqbroker login`
  kExitLoginDenied = 5,       // login denied or timed out
  kExitExecFailed = 125,      // exec: bqbroker itself failed
  kExitExecNotFound = 127,    // exec: the command was not found
};

}  // namespace bqb::cli
