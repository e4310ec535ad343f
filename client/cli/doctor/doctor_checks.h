#pragma once
// `bqbroker doctor`'s judgement: facts in, one verdict per check out, in the order a person would
// fix them (the socket before the daemon, the daemon before what only it can tell). Pure.
//
// The checks that count for the exit code (`required`) are those `bqbroker token` and
// `bqbroker query` need: the socket, the daemon, its configuration file, the secret store, the
// accounts and the clock. The version, systemd, proxies, browser and metadata port are reported
// (✘ with a fix when wrong) but do not fail the command: tokens and queries work without them.

#include <string>
#include <string_view>
#include <vector>

#include "client/cli/doctor/doctor_facts.h"

namespace bqb::cli::doctor {

enum class Verdict {
  ok,    // ✔
  fail,  // ✘, with a fix
  skip,  // –, not applicable or not asked, with the reason
};

struct Check {
  std::string name;  // stable, for --json: socket, daemon, version, systemd, config, store,
                     // account, clock, proxy, browser, metadata
  Verdict verdict = Verdict::ok;
  std::string detail;  // what was found, for a person
  std::string fix;     // what to do (a command where there is one); set when verdict is fail
  bool required = false;
};

/// Clocks further apart than this fail the clock check: Google refuses signed assertions and
/// clients refuse tokens whose times they think are in the future or past.
inline constexpr std::int64_t kMaxClockSkewSeconds = 60;

/// @returns the checks for `facts`, in order; one `account` check per account (or one saying
/// there is none). `cli_version` is this bqbroker's.
std::vector<Check> evaluate(const DoctorFacts& facts, std::string_view cli_version);

/// @returns whether every required check passed: the exit code's decision.
bool healthy(const std::vector<Check>& checks);

}  // namespace bqb::cli::doctor
