#pragma once
// What a process holds, read from /proc/PID: open file descriptors, threads and resident memory,
// for tests that check a daemon gives back what a load took. The daemon is not dumpable, so
// reading its /proc/PID/fd takes CAP_SYS_PTRACE (or root).

#include <sys/types.h>

#include <filesystem>
#include <iosfwd>

#include "tests/support/raw_http.h"

namespace bqb::itest {

struct ProcUsage {
  long fds = 0;      // entries of /proc/PID/fd
  long threads = 0;  // Threads: of /proc/PID/status
  long rss_kb = 0;   // VmRSS: of /proc/PID/status, in KiB
};
std::ostream& operator<<(std::ostream& os, const ProcUsage& u);

/// @returns `pid`'s usage now, or why it cannot be read (no such process, EACCES naming the
/// missing capability).
Expected<ProcUsage> proc_usage(pid_t pid);

/// @returns how many connected sockets /proc/net/unix lists with address `path`: the
/// connections a server listening on `path` has accepted and not yet closed.
long unix_connections(const std::filesystem::path& path);

}  // namespace bqb::itest
