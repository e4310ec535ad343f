#pragma once
// The CLI's entry point as a function, so that tests can run it with their own argv and streams.

#include <iosfwd>

namespace bqb::cli {

/// Parses `argv` (argv[0] is the program name), runs the chosen command, and prints errors on
/// `err` as "bqbroker: <message>" / "hint: <hint>". @returns the process exit code from the
/// table in exit_codes.h: CLI11's usage errors become kExitUsage, --help is kExitOk.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace bqb::cli
