// bqbroker status [--json]: what the daemon reports about itself and its accounts.

#include <memory>
#include <ostream>

#include <CLI/CLI.hpp>

#include "client/cli/command.h"
#include "client/cli/exit_codes.h"
#include "client/cli/status_text.h"
#include "proto/api.h"
#include "proto/json_text.h"
#include "proto/routes.h"

namespace bqb::cli {

Action setup_status(CLI::App& sub) {
  auto json_output = std::make_shared<bool>(false);
  sub.add_flag("--json", *json_output,
               "Print the daemon's JSON answer (GET /v1/status, see proto/openapi.yaml)");
  return [json_output](Context& ctx) -> Result<int> {
    BQB_TRY(client, ctx.connect());
    BQB_TRY(response, client.request(routes::kStatus));
    if (*json_output) {
      ctx.out << json_text(response.body, 2) << '\n';
      return kExitOk;
    }
    BQB_TRY(status, api::parse_status_response(response.body));
    ctx.out << render_status(status);
    return kExitOk;
  };
}

}  // namespace bqb::cli
