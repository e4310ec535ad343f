// bqbroker exec [--account A] [--scope S]… [--project P] -- CMD ARGS…: run a program that uses
// the broker through Google's client libraries' metadata-server support (see exec_command.h).

#include <unistd.h>

#include <cstdlib>
#include <memory>

#include <CLI/CLI.hpp>

#include "client/cli/command.h"
#include "client/cli/exec_command.h"

namespace bqb::cli {
namespace {

constexpr const char* kExecFooter =
    "Usage: bqbroker exec [OPTIONS] -- CMD ARGS…\n"
    "\n"
    "The command gets:\n"
    "  GCE_METADATA_HOST, GCE_METADATA_IP, GCE_METADATA_ROOT\n"
    "                       127.0.0.1:PORT, a metadata-server endpoint the daemon opens for this\n"
    "                       command alone (closed when it exits)\n"
    "  METADATA_SERVER_DETECTION=assume-present\n"
    "  GOOGLE_CLOUD_PROJECT --project, else an inherited GOOGLE_CLOUD_PROJECT, else the\n"
    "                       daemon's choice (config default_project, the account's project)\n"
    "  CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\n"
    "                       for gcloud: a 0600 file in $XDG_RUNTIME_DIR (else in a private\n"
    "                       0700 directory under $TMPDIR or /tmp), rewritten while less than 5\n"
    "                       minutes are left on its token, removed when the command exits\n"
    "and GOOGLE_APPLICATION_CREDENTIALS is removed: Google's libraries would prefer that file to\n"
    "the metadata server. To keep one on purpose, set it inside:\n"
    "  bqbroker exec -- env GOOGLE_APPLICATION_CREDENTIALS=FILE CMD\n"
    "\n"
    "SIGINT, SIGTERM and SIGHUP sent to bqbroker are passed on to the command (a terminal's\n"
    "Ctrl-C reaches it directly). Exit status: the command's own; 128+N when signal N ended it;\n"
    "127 command not found, 126 not runnable, 125 bqbroker failed; before the command starts, 3\n"
    "when the daemon is unreachable and 4 when the account needs `bqbroker login`.";

}  // namespace

Action setup_exec(CLI::App& sub) {
  auto r = std::make_shared<ExecRequest>();
  sub.add_option("--account", r->account, "The account (default: the default account)")
      ->type_name("EMAIL");
  sub.add_option("--scope", r->scopes,
                 "Serve tokens with only these scopes (repeatable; short names like "
                 "bigquery.readonly are allowed; default: every scope the account granted)")
      ->type_name("S")
      ->allow_extra_args(false);
  sub.add_option("--project", r->project, "The project the command is told about")
      ->type_name("PROJECT");
  // Only `--` ends exec's own options reliably (CLI11 2.1's prefix_command() mishandles it),
  // so the usage asks for it: bqbroker exec [options] -- CMD ARGS…
  sub.add_option("command", r->command, "The command to run and its arguments, after --")
      ->type_name("CMD ARGS…")
      ->required();
  sub.footer(kExecFooter);
  return [r](Context& ctx) -> Result<int> {
    for (char** e = ::environ; *e != nullptr; ++e) r->inherited_env.emplace_back(*e);
    if (const char* dir = std::getenv("XDG_RUNTIME_DIR"); dir != nullptr && *dir != '\0') {
      r->runtime_dir = dir;
    }
    return run_exec(ctx, *r);
  };
}

}  // namespace bqb::cli
