#include "client/cli/version_check.h"

#include <ostream>

#include "bqbroker_version.h"
#include "client/cli/error_text.h"
#include "client/cli/exit_codes.h"
#include "client/lib/api_calls.h"
#include "proto/api.h"

namespace bqb::cli {
namespace {

/// @returns the daemon's status, or the error that kept us from getting it.
Result<api::StatusResponse> daemon_status(Context& ctx) {
  // --version must stay quick: a daemon that is not answering promptly is reported as such.
  client::ClientOptions options;
  options.connect_timeout = std::chrono::seconds(2);
  options.io_timeout = std::chrono::seconds(5);
  BQB_TRY(client, ctx.connect(options));
  return client::get_status(client);
}

}  // namespace

std::optional<std::string> version_mismatch_warning(std::string_view cli_version,
                                                    std::string_view daemon_version) {
  if (cli_version == daemon_version) return std::nullopt;
  std::string w = "the running daemon is version ";
  w.append(daemon_version).append(" but this bqbroker is version ").append(cli_version);
  w.append(
      "; restart the daemon to run the installed one (systemctl --user restart "
      "bqbroker.service)");
  return w;
}

int print_versions(Context& ctx) {
  ctx.out << "bqbroker " << kVersion << '\n';
  auto status = daemon_status(ctx);
  if (!status) {
    // No daemon running is normal; anything else is worth a word, but --version still succeeds.
    if (status.error().code != Errc::daemon_unreachable) {
      ctx.err << render_warning("cannot read the daemon's version: " + status.error().message);
    }
    return kExitOk;
  }
  ctx.out << "bqbrokerd " << status->version << " (pid " << status->pid << ", socket "
          << status->socket << ")\n";
  if (auto warning = version_mismatch_warning(kVersion, status->version)) {
    ctx.err << render_warning(*warning);
  }
  return kExitOk;
}

}  // namespace bqb::cli
