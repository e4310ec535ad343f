#include "daemon/base/process_hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace bqb {

Status harden_process() {
  const rlimit no_core{0, 0};
  if (::setrlimit(RLIMIT_CORE, &no_core) != 0) {
    return fail(Errc::io_error,
                std::string("cannot disable core dumps: setrlimit: ") + std::strerror(errno));
  }
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return fail(Errc::io_error, std::string("cannot make the process non-dumpable: prctl: ") +
                                    std::strerror(errno));
  }
  return {};
}

}  // namespace bqb
