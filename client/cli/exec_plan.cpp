#include "client/cli/exec_plan.h"

#include <sys/wait.h>

#include <algorithm>

namespace bqb::cli {
namespace {

/// @returns the name part of "NAME=value", or nullopt when there is no '='.
std::optional<std::string_view> name_of(std::string_view entry) {
  auto eq = entry.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  return entry.substr(0, eq);
}

std::string entry(std::string_view name, std::string_view value) {
  std::string e(name);
  e += '=';
  e.append(value);
  return e;
}

}  // namespace

std::optional<std::string> find_variable(std::span<const std::string> env, std::string_view name) {
  for (const std::string& e : env) {
    if (name_of(e) == name) return e.substr(name.size() + 1);
  }
  return std::nullopt;
}

std::optional<std::string> requested_project(const std::optional<std::string>& flag,
                                             std::span<const std::string> inherited) {
  if (flag) return flag;
  auto inherited_project = find_variable(inherited, "GOOGLE_CLOUD_PROJECT");
  if (inherited_project && !inherited_project->empty()) return inherited_project;
  return std::nullopt;
}

std::vector<std::string> exec_environment(std::span<const std::string> inherited,
                                          const api::MetadataSession& session,
                                          std::string_view token_file) {
  std::vector<std::pair<std::string_view, std::string>> set{
      {"GCE_METADATA_HOST", session.host},
      {"GCE_METADATA_IP", session.host},
      {"GCE_METADATA_ROOT", session.host},
      {"METADATA_SERVER_DETECTION", "assume-present"},
      {"CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", std::string(token_file)},
  };
  if (session.project) set.emplace_back("GOOGLE_CLOUD_PROJECT", *session.project);

  std::vector<std::string> out;
  out.reserve(inherited.size() + set.size());
  for (const std::string& e : inherited) {
    auto name = name_of(e);
    if (!name || *name == kExecRemovedVariable) continue;
    bool replaced =
        std::any_of(set.begin(), set.end(), [&](const auto& s) { return s.first == *name; });
    if (!replaced) out.push_back(e);
  }
  for (const auto& [name, value] : set) out.push_back(entry(name, value));
  return out;
}

std::chrono::milliseconds refresh_delay(std::int64_t expires_in, const RefreshPolicy& policy) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(expires_in));
  return std::max(left - policy.margin, policy.min_delay);
}

int exit_code_from_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 128;  // stopped/continued: not reported by waitpid() without WUNTRACED/WCONTINUED
}

}  // namespace bqb::cli
