#include "client/cli/doctor/doctor_report.h"

namespace bqb::cli::doctor {
namespace {

std::string_view mark(Verdict v) {
  switch (v) {
    case Verdict::ok:
      return "\u2714";  // ✔
    case Verdict::fail:
      return "\u2718";  // ✘
    case Verdict::skip:
      break;
  }
  return "\u2013";  // –
}

std::string_view state(Verdict v) {
  switch (v) {
    case Verdict::ok:
      return "ok";
    case Verdict::fail:
      return "fail";
    case Verdict::skip:
      break;
  }
  return "skip";
}

}  // namespace

std::string render_text(const std::vector<Check>& checks) {
  std::string out;
  for (const auto& c : checks) {
    out.append(mark(c.verdict)).append(" ").append(c.name).append(": ").append(c.detail);
    out += '\n';
    if (c.verdict == Verdict::fail && !c.fix.empty()) out.append("  fix: ").append(c.fix) += '\n';
  }
  out += healthy(checks) ? "bqbroker token and bqbroker query can work.\n"
                         : "bqbroker token and bqbroker query cannot work until the "
                           "required checks above pass.\n";
  return out;
}

nlohmann::json render_json(const std::vector<Check>& checks) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : checks) {
    nlohmann::json j = {{"name", c.name},
                        {"state", state(c.verdict)},
                        {"required", c.required},
                        {"detail", c.detail}};
    if (!c.fix.empty()) j["fix"] = c.fix;
    list.push_back(std::move(j));
  }
  return {{"ok", healthy(checks)}, {"checks", std::move(list)}};
}

}  // namespace bqb::cli::doctor
