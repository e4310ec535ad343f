#pragma once
// GET /v1/doctor: what only the daemon can find out for `bqbroker doctor` (proto/openapi.yaml is
// the written definition). Each finding is the subject looked at and, when something is wrong,
// the Error saying what and what to do (its hint); no finding can carry a secret.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::api {

/// The configuration file, read again now: a daemon started from a good file keeps running after
/// the file goes bad, and fails at its next start.
struct DoctorConfig {
  std::string path;
  std::optional<Error> error;  // nullopt: it loads
};

/// The secret store, asked for an entry that does not exist (what every token refresh does first).
struct DoctorStore {
  std::string kind;  // secret-service | file | memory
  std::optional<Error> error;
};

/// The clock against the `Date` header of one request to the token endpoint's origin.
struct DoctorClock {
  std::string url;                           // the URL asked (the token endpoint's origin)
  std::optional<std::int64_t> skew_seconds;  // the server's date minus ours; set when known
  std::optional<Error> error;                // why it is not known
};

struct DoctorResponse {
  DoctorConfig config;
  DoctorStore store;
  DoctorClock clock;
  std::optional<std::string> metadata_listen;  // "127.0.0.1:8181" when [metadata] listen is set
};
nlohmann::json to_json(const DoctorResponse& r);
Result<DoctorResponse> parse_doctor_response(const nlohmann::json& j);

}  // namespace bqb::api
