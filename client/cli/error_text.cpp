#include "client/cli/error_text.h"

namespace bqb::cli {

std::string render_error(const Error& e) {
  std::string out = "bqbroker: " + e.message + "\n";
  if (!e.hint.empty()) out += "hint: " + e.hint + "\n";
  return out;
}

std::string render_warning(std::string_view message) {
  std::string out = "bqbroker: warning: ";
  out.append(message).append("\n");
  return out;
}

}  // namespace bqb::cli
