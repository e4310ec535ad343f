#pragma once
// The GCE metadata-server emulation, answer side: the body of each answer for the identity an
// endpoint serves, which token a token call needs, the token JSON, and each answer's ETag. Pure:
// the endpoint (daemon/metadata/metadata_server.h) asks the TokenSource when told to.
//
// Every value has a JSON form and a text form; `?alt=` picks one, else the key's own default:
// - JSON (application/json): a text value is a JSON string (numeric-project-id a number), a
//   listing or a list value (scopes, aliases) an array of its lines, account info and the token
//   their object.
// - text (application/text): a string as is; a list one item a line; an object GCE's
//   `key value` lines, a nested key as `outer/inner` and a list item as `key item` once per
//   item. GCE documents the lines for recursive directories (`0/device-name boot`) and a list
//   one item a line (`instance/tags?alt=text`); it does not document a list inside an object,
//   and repeating the key is the closest form that keeps every line `key value`.
// GCE's recursive JSON spells dashed names in camelCase (numericProjectId); the only objects
// served here (account info, the token) have no dashed names.

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "daemon/metadata/metadata_request.h"
#include "daemon/oauth/scopes.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::metadata {

/// What one endpoint serves: one account, the scopes its tokens may carry at most, the project
/// `project/project-id` reports and its number `project/numeric-project-id` reports (nullopt:
/// 404 there).
struct MetadataIdentity {
  std::string account;
  oauth::ScopeSet scopes;
  std::optional<std::string> project;
  std::optional<std::string> numeric_project;
};

/// @returns `configured_number` (`[metadata] numeric_project_id`, the number of
/// `default_project`) when `project` is `default_project`, else nullopt: a number is reported
/// only beside the project it belongs to.
std::optional<std::string> numeric_project_for(const std::optional<std::string>& project,
                                               const std::optional<std::string>& default_project,
                                               const std::optional<std::string>& configured_number);

/// A token call that passed its checks: ask for a token of `account` with `scopes`.
struct TokenNeeded {
  oauth::ScopeSet scopes;
};

/// @returns the reply to `call` for `identity` in the form `call.alt` asks for, or TokenNeeded
/// for a token call. Service account
/// names other than "default" and the identity's email (case-insensitive) are 404. A token call's
/// `?scopes=` (comma separated, short names allowed, empty means all) must be a subset of the
/// identity's scopes: 403 naming the missing ones otherwise; 400 for an invalid scope.
std::variant<MetadataReply, TokenNeeded> answer(const MetadataCall& call,
                                                const MetadataIdentity& identity);

/// @returns {"access_token","expires_in","token_type":"Bearer"} in the form `alt` asks for (JSON
/// by default, else `access_token T` lines); expires_in is the whole seconds left at `now` (never
/// negative).
MetadataReply token_reply(const Secret& access_token,
                          std::chrono::system_clock::time_point expires_at,
                          std::chrono::system_clock::time_point now, Alt alt = Alt::default_form);

/// @returns the ETag of an answer with `body`: 16 hex digits (GCE's length) of SHA-256(body), so
/// the same content always has the same ETag and any change of content changes it. A token
/// answer's ETag does not help recover the token: SHA-256 is preimage-resistant and the body
/// holds a token of far more than 64 bits of entropy; and the ETag goes only to whoever receives
/// the body itself.
std::string etag_of(std::string_view body);

/// @returns the plain-text reply for a failed token or identity lookup: the error table's status,
/// the message and the hint (client libraries show the body in their exception).
MetadataReply error_reply(const Error& error);

}  // namespace bqb::metadata
