#pragma once
// The one table of the CLI's exit codes, shared by every command and shown in `bqbroker --help`
// (and the README). Errors map to codes here and nowhere else.

#include <string_view>

#include "proto/error.h"

namespace bqb::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,           // the operation failed
  kExitUsage = 2,            // usage error (CLI11's own codes are mapped here)
  kExitUnreachable = 3,      // the daemon is not running or does not answer
  kExitNeedsLogin = 4,       // the account needs `bqbroker login`
  kExitLoginDenied = 5,      // login denied or timed out
  kExitExecFailed = 125,     // exec: bqbroker itself failed
  kExitExecCannotRun = 126,  // exec: the command was found but cannot be run
  kExitExecNotFound = 127,   // exec: the command was not found
};

/// @returns the exit code a command ends with when it fails with `code`.
ExitCode exit_code_for(Errc code);

/// @returns the exit-code table as help text (a heading line, then one line per code).
std::string_view exit_code_help();

}  // namespace bqb::cli
