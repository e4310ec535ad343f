#pragma once
// How `bqbroker doctor` prints its checks: one line each with ✔, ✘ or – and, under each ✘, the
// fix; or one JSON document for scripts. Pure.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/cli/doctor/doctor_checks.h"

namespace bqb::cli::doctor {

/// @returns "✔ name: detail\n", "✘ name: detail\n  fix: …\n" or "– name: detail\n" per check,
/// then a last line saying whether `bqbroker token` and `query` can work.
std::string render_text(const std::vector<Check>& checks);

/// @returns {"ok": healthy(checks), "checks": [{"name", "state": "ok"|"fail"|"skip",
/// "required", "detail", "fix"?}]}.
nlohmann::json render_json(const std::vector<Check>& checks);

}  // namespace bqb::cli::doctor
