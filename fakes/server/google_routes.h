#pragma once
// How bqbroker-emulator puts the OAuth fake and the BigQuery fake behind one HTTP
// server: BigQuery accepts the access tokens the OAuth part issued while they live, requests go
// to one part or the other by path, and the access log goes to stderr. The OAuth fake is created
// once the server's port (hence the base URL it hands out) is known, so it is held in an optional
// that must be engaged before the first request is served.

#include <functional>
#include <optional>
#include <string>

#include "fakes/bigquery/fake_bigquery.h"
#include "fakes/oauth/fake_google.h"
#include "fakes/server/http_server.h"

namespace bqb::fakes {

/// @returns BigQuery's view of `google`'s tokens: the scopes of a live access token.
bigquery::TokenScopes live_token_scopes(const std::optional<FakeGoogle>& google);

/// @returns the handler sending BigQuery's paths to `bq` and everything else to `google`; both
/// must outlive it.
Handler google_and_bigquery(std::optional<FakeGoogle>& google, bigquery::FakeBigQuery& bq);

/// @returns an access log writing "METHOD PATH -> STATUS" ("dropped" for a dropped connection)
/// through `log_line`; never queries or bodies, which carry codes and tokens.
AccessLog access_log_to(std::function<void(const std::string&)> log_line);

}  // namespace bqb::fakes
