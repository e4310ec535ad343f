#pragma once
// Random (version 4) UUIDs from OpenSSL's CSPRNG: BigQuery's requestId, which makes a retried
// jobs.query idempotent, must not collide with another client's.

#include <string>

#include "proto/error.h"

namespace bqb {

/// @returns a fresh RFC 9562 version-4 UUID in lower-case 8-4-4-4-12 form (36 characters);
/// internal when the CSPRNG fails.
Result<std::string> random_uuid();

}  // namespace bqb
