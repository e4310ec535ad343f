#pragma once
// The I/O half of `bqbroker doctor`: looks at the socket path, asks the daemon (GET /v1/status,
// GET /v1/doctor), asks systemd, reads the environment. Never fails: what cannot be found out is
// a fact too, and doctor_checks.h judges it.

#include "client/cli/command.h"
#include "client/cli/doctor/doctor_facts.h"

namespace bqb::cli::doctor {

/// @returns the facts about this user's bqbroker, with `ctx`'s socket path.
DoctorFacts gather(const Context& ctx);

}  // namespace bqb::cli::doctor
