#pragma once
// What the daemon does to its own process before it learns any secret: no core dumps (a core
// file would hold every token in memory) and not dumpable, which also keeps other processes of
// the same user from attaching with ptrace or reading /proc/PID/mem, environ and fd (the kernel
// then treats the process like a setuid one).

#include "proto/error.h"

namespace bqb {

/// Sets RLIMIT_CORE to 0 (soft and hard, so it cannot be raised again) and PR_SET_DUMPABLE to 0.
/// @returns io_error naming the call when either fails.
Status harden_process();

}  // namespace bqb
