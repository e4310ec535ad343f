#pragma once
// GET /v1/token (proto/token_api.h has the types and the parameters):
//   ?account=EMAIL        at most once; absent: the default account
//   &scope=S              repeatable; short names and Google's aliases allowed; absent: every
//                         scope the account granted
//   &min_valid=SECONDS    0..api::kMaxMinValidSeconds; absent: 0
// 200 api::AccessToken (with Cache-Control: no-store); errors as TokenSource::token says, and
// bad_request (400) naming the parameter for a malformed or unknown one.

#include <boost/url/params_view.hpp>

#include "daemon/server/router.h"
#include "daemon/tokens/token_source.h"
#include "proto/error.h"

namespace bqb {

/// @returns the token request that `query` asks for (caller left empty); bad_request naming the
/// parameter for a repeated account, an invalid scope, a min_valid that is not a whole number of
/// seconds in range, or an unknown parameter.
Result<TokenRequest> parse_token_query(boost::urls::params_view query);

/// Adds GET /v1/token to `router`. `tokens` must outlive the router.
void add_token_routes(http::Router& router, TokenSource& tokens);

}  // namespace bqb
