#pragma once
// The decisions of `bqbroker exec` that need no I/O: the child's environment, which project it
// is told about, when the token file is rewritten, and the exit code a wait status becomes.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/metadata_api.h"

namespace bqb::cli {

/// Removed from the child's environment: Application Default Credentials look at this file
/// before the metadata server, so an inherited one would silently win over the broker.
inline constexpr std::string_view kExecRemovedVariable = "GOOGLE_APPLICATION_CREDENTIALS";

/// @returns the value of `name` in `env` ("NAME=value" entries; the first one counts), or
/// nullopt.
std::optional<std::string> find_variable(std::span<const std::string> env, std::string_view name);

/// @returns the project to ask the metadata session for: --project, else an inherited non-empty
/// GOOGLE_CLOUD_PROJECT (so that the endpoint's project-id and the variable agree), else
/// nullopt (the daemon chooses: config default_project, then the account's project).
std::optional<std::string> requested_project(const std::optional<std::string>& flag,
                                             std::span<const std::string> inherited);

/// @returns `inherited` with the variables `bqbroker exec` sets for the child (GCE_METADATA_HOST,
/// GCE_METADATA_IP, GCE_METADATA_ROOT, METADATA_SERVER_DETECTION, GOOGLE_CLOUD_PROJECT and
/// CLOUDSDK_AUTH_ACCESS_TOKEN_FILE) set from `session` and `token_file`, and
/// kExecRemovedVariable removed. Google's client libraries (Go, Python, Java, Node, C++) find the
/// metadata server through the first three; old ones read only GCE_METADATA_ROOT. gcloud reads
/// CLOUDSDK_AUTH_ACCESS_TOKEN_FILE instead. GOOGLE_CLOUD_PROJECT is set only when the session has
/// a project; otherwise an inherited value is kept. Entries without '=' are dropped.
std::vector<std::string> exec_environment(std::span<const std::string> inherited,
                                          const api::MetadataSession& session,
                                          std::string_view token_file);

/// When the token file is rewritten.
struct RefreshPolicy {
  /// Rewrite when less than this is left on the token in the file.
  std::chrono::milliseconds margin = std::chrono::minutes(5);
  /// What each GET /v1/token asks for (min_valid), so a new token outlives the margin.
  std::int64_t min_valid_seconds = 600;
  /// Never sooner than this after a rewrite, whatever the daemon hands out.
  std::chrono::milliseconds min_delay = std::chrono::seconds(10);
  /// After a failed refresh, try again this much later (the file keeps the old token).
  std::chrono::milliseconds retry_delay = std::chrono::seconds(30);
};

/// @returns how long after receiving a token with `expires_in` seconds left to fetch the next:
/// expires_in - margin, but at least min_delay.
std::chrono::milliseconds refresh_delay(std::int64_t expires_in, const RefreshPolicy& policy);

/// @returns the exit code for a waitpid() status: the child's exit code, or 128 + N when signal
/// N ended it (as shells report it).
int exit_code_from_wait_status(int status);

}  // namespace bqb::cli
