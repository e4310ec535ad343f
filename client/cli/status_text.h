#pragma once
// The human form of `bqbroker status`.

#include <string>

#include "proto/api.h"

namespace bqb::cli {

/// @returns the status as aligned "label: value" lines, then one block per account. Account
/// fields are read by name and shown when present (email, default, state, scopes,
/// token_expires_at, last_error), so that a daemon adding fields never breaks the CLI.
std::string render_status(const api::StatusResponse& s);

/// @returns `scope` without Google's common "https://www.googleapis.com/auth/" prefix.
std::string short_scope(std::string_view scope);

}  // namespace bqb::cli
