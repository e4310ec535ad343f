#include "client/cli/exit_codes.h"

namespace bqb::cli {

ExitCode exit_code_for(Errc code) {
  switch (code) {
    case Errc::daemon_unreachable:
      return kExitUnreachable;
    case Errc::needs_login:
      return kExitNeedsLogin;
    case Errc::login_denied:
    case Errc::login_timeout:
      return kExitLoginDenied;
    default:
      return kExitFailed;
  }
}

std::string_view exit_code_help() {
  return "Exit codes:\n"
         "  0    ok\n"
         "  1    failed\n"
         "  2    usage error\n"
         "  3    daemon unreachable (not running, or not answering)\n"
         "  4    the account needs `bqbroker login`\n"
         "  5    login denied or timed out\n"
         "  exec: the command's own status (128+N when signal N ended it); 125 when\n"
         "        bqbroker itself failed, 126 when the command cannot be run, 127 when\n"
         "        it is not found\n";
}

}  // namespace bqb::cli
