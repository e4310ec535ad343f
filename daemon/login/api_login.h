#pragma once
// The login endpoints of the socket API (proto/login_api.h has the types):
//   POST /v1/login, GET /v1/login/{id}?wait=S, POST /v1/login/{id}/redirect, DELETE /v1/login/{id}

#include "daemon/login/login_manager.h"
#include "daemon/server/router.h"

namespace bqb {

/// Adds the login routes to `router`. `logins` must outlive the router.
void add_login_routes(http::Router& router, LoginManager& logins);

}  // namespace bqb
