#pragma once
// GET /v1/doctor: the checks of `bqbroker doctor` that only the daemon can make
// (proto/doctor_api.h): its configuration file read again, its secret store asked, and its clock
// against the token endpoint's `Date`, through the daemon's own HTTPS client (proxy and CA settings
// included).

#include <chrono>
#include <optional>
#include <string>

#include "daemon/base/paths.h"
#include "daemon/server/router.h"

namespace bqb {

class BlockingPool;
class HttpClient;
class SecretStore;

struct DoctorInfo {
  ConfigLocation config;  // read again on every request
  std::string token_uri;  // `[oauth] token_uri`: its origin is asked for the time
  std::chrono::seconds request_timeout{15};
  std::optional<std::string> metadata_listen;  // the endpoint's address, when it runs
  SecretStore* store = nullptr;
  BlockingPool* blocking = nullptr;  // runs the store's and the file's blocking calls
  HttpClient* http = nullptr;
};

/// Adds GET /v1/doctor to `router`. `info` and what it points to must outlive the router.
void add_doctor_routes(http::Router& router, const DoctorInfo& info);

}  // namespace bqb
