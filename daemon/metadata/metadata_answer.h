#pragma once
// The GCE metadata-server emulation, answer side: the body of each answer for the identity an
// endpoint serves, which token a token call needs, and the token JSON. Pure: the endpoint
// (daemon/metadata/metadata_server.h) asks the TokenSource when told to.

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "daemon/metadata/metadata_request.h"
#include "daemon/oauth/scopes.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::metadata {

/// What one endpoint serves: one account, the scopes its tokens may carry at most, and the
/// project `project/project-id` reports (nullopt: 404 there).
struct MetadataIdentity {
  std::string account;
  oauth::ScopeSet scopes;
  std::optional<std::string> project;
};

/// A token call that passed its checks: ask for a token of `account` with `scopes`.
struct TokenNeeded {
  oauth::ScopeSet scopes;
};

/// @returns the reply to `call` for `identity`, or TokenNeeded for a token call. Service account
/// names other than "default" and the identity's email (case-insensitive) are 404. A token call's
/// `?scopes=` (comma separated, short names allowed, empty means all) must be a subset of the
/// identity's scopes: 403 naming the missing ones otherwise; 400 for an invalid scope.
std::variant<MetadataReply, TokenNeeded> answer(const MetadataCall& call,
                                                const MetadataIdentity& identity);

/// @returns {"access_token","expires_in","token_type":"Bearer"} as application/json; expires_in
/// is the whole seconds left at `now` (never negative).
MetadataReply token_reply(const Secret& access_token,
                          std::chrono::system_clock::time_point expires_at,
                          std::chrono::system_clock::time_point now);

/// @returns the plain-text reply for a failed token or identity lookup: the error table's status,
/// the message and the hint (client libraries show the body in their exception).
MetadataReply error_reply(const Error& error);

}  // namespace bqb::metadata
