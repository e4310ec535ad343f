#pragma once
// The metadata-session endpoints of the socket API (proto/metadata_api.h has the types):
//   POST   /v1/metadata-sessions        {account?, scopes?, project?} → 201 MetadataSession
//   DELETE /v1/metadata-sessions/{id}   → 204; unknown id → 404

#include "daemon/metadata/metadata_sessions.h"
#include "daemon/server/router.h"

namespace bqb {

/// Adds the routes above to `router`. `sessions` must outlive the router.
void add_metadata_routes(http::Router& router, MetadataSessions& sessions);

}  // namespace bqb
