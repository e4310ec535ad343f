#pragma once
// The socket API's request and response types and their JSON mapping; the written definition is
// proto/openapi.yaml. Parsing never throws: it returns Result with an invalid_json error that
// names the field.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::api {

/// {"error": {"code", "message", "hint"?}} — the body of every error response.
nlohmann::json error_body(const Error& e);
/// @returns the Error carried by an error body, or invalid_json when `body` is not one.
Result<Error> parse_error_body(const nlohmann::json& body);

/// GET /v1/status
struct StatusResponse {
  std::string version;
  std::int64_t pid = 0;
  std::int64_t uptime_seconds = 0;
  std::string socket;
  std::string store;                  // active secret store: secret-service | file | memory
  std::vector<nlohmann::json> accounts;  // one AccountInfo object each, with its token state
};
nlohmann::json to_json(const StatusResponse& s);
Result<StatusResponse> parse_status_response(const nlohmann::json& j);

}  // namespace bqb::api
