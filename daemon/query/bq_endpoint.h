#pragma once
// Where the daemon sends BigQuery requests, and which project a query runs in. Pure: the
// environment and the account's project are inputs.
//
// The endpoint, first match wins:
//   1. `[bigquery] endpoint` when it differs from the default: the configuration is the
//      deliberate, per-user choice; the environment of a systemd user service is inherited and
//      easily stale. (Writing the default URL explicitly is the same as leaving the key out.)
//   2. `BIGQUERY_EMULATOR_HOST`, in any form Google's client libraries accept: "host:port" (Go,
//      plain http), a URL "http://host:port" (Python), or a URL ending in "/bigquery/v2" (Node).
//   3. https://bigquery.googleapis.com.
// Either is checked against the outbound policy (outbound_url.h): plain http only to loopback.

#include <optional>
#include <string>
#include <string_view>

#include "proto/error.h"

namespace bqb::bq {

inline constexpr std::string_view kEmulatorHostVariable = "BIGQUERY_EMULATOR_HOST";

/// @returns the API root every request target (bq_request.h) is appended to, e.g.
/// "https://bigquery.googleapis.com/bigquery/v2" or "http://127.0.0.1:9050/bigquery/v2".
/// `config_endpoint` is `[bigquery] endpoint` (scheme://host[:port]); `emulator_host` the value
/// of BIGQUERY_EMULATOR_HOST (nullopt or empty: unset). config_invalid naming the source for a
/// value that is not a URL or host:port, or has a path other than /bigquery/v2; tls_error
/// naming the source for plain http to a host that is not loopback.
Result<std::string> api_root(std::string_view config_endpoint,
                             std::optional<std::string_view> emulator_host);

/// @returns the project a query runs in: `requested` (the request's "project"), else
/// `default_project` (the configuration's), else `account_project` (the account's
/// client_secrets / ADC project). bad_request with a hint when none is set.
Result<std::string> resolve_project(const std::optional<std::string>& requested,
                                    const std::optional<std::string>& default_project,
                                    const std::optional<std::string>& account_project);

}  // namespace bqb::bq
