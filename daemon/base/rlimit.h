#pragma once
// Raising the soft open-file limit to the hard one, so the connection cap (4096 by default) is
// not undercut by the common soft default of 1024.

#include <sys/resource.h>

namespace bqb {

/// @returns the soft RLIMIT_NOFILE in force afterwards.
rlim_t raise_open_file_limit();

}  // namespace bqb
