// bqbroker doctor [--json]: why doesn't it work? Each check with ✔/✘/– and, for each ✘, the fix.
// Exit code 0 only when every check that `token` and `query` need passes (doctor_checks.h lists
// them), else 1.

#include <memory>
#include <ostream>

#include <CLI/CLI.hpp>

#include "bqbroker_version.h"
#include "client/cli/command.h"
#include "client/cli/doctor/doctor_checks.h"
#include "client/cli/doctor/doctor_gather.h"
#include "client/cli/doctor/doctor_report.h"
#include "client/cli/exit_codes.h"

namespace bqb::cli {

Action setup_doctor(CLI::App& sub) {
  auto json_output = std::make_shared<bool>(false);
  sub.add_flag("--json", *json_output,
               "Print the checks as JSON: {\"ok\", \"checks\": [{\"name\", \"state\", "
               "\"required\", \"detail\", \"fix\"}]}");
  return [json_output](Context& ctx) -> Result<int> {
    const auto checks = doctor::evaluate(doctor::gather(ctx), kVersion);
    if (*json_output) {
      ctx.out << doctor::render_json(checks).dump(2) << '\n';
    } else {
      ctx.out << doctor::render_text(checks);
    }
    return doctor::healthy(checks) ? kExitOk : kExitFailed;
  };
}

}  // namespace bqb::cli
