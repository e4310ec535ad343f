#pragma once
// bqbroker exec: run a program with a metadata-server endpoint of its own, so that Google's
// client libraries (and gcloud, through a token file) use the broker's tokens unchanged.
//
// Steps: POST /v1/metadata-sessions; GET /v1/token for the session's account and scopes into a
// 0600 token file; start the child with the environment from exec_plan.h; while it runs, rewrite
// the token file before the token expires and pass SIGINT/SIGTERM/SIGHUP on; when it exits,
// remove the file and DELETE the session. The CLI stays the child's parent throughout. Right
// after the start the session is handed to the child (PUT …/process): the daemon closes it when
// the child exits, so the endpoint lives exactly as long as the child, even when bqbroker is
// killed with SIGKILL (the token file is then no longer rewritten, and stays behind).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "client/cli/command.h"
#include "client/cli/exec_plan.h"

namespace bqb::cli {

struct ExecRequest {
  std::optional<std::string> account;  // --account
  std::vector<std::string> scopes;     // --scope…
  std::optional<std::string> project;  // --project
  std::vector<std::string> command;    // CMD ARGS…
  /// The environment the child starts from ("NAME=value"): this process's, in the CLI.
  std::vector<std::string> inherited_env;
  /// $XDG_RUNTIME_DIR: where the token file goes (see TokenFile::create).
  std::optional<std::filesystem::path> runtime_dir;
  RefreshPolicy refresh;
};

/// Runs `r.command` as described above. @returns the child's exit code (128 + N when signal N
/// ended it); 127/126/125 when it could not be started; for a failure before the child starts,
/// the code of the table in exit_codes.h (3 daemon unreachable, 4 needs login), with 125 in
/// place of the generic 1 so it cannot be mistaken for the child's status. Failures are printed
/// on ctx.err here; the Error result is not used.
Result<int> run_exec(Context& ctx, const ExecRequest& r);

}  // namespace bqb::cli
