#pragma once
// GET /v1/status: what the daemon is and what it holds.

#include <chrono>
#include <filesystem>
#include <string>

#include "daemon/io/router.h"

namespace bqb {

struct StatusInfo {
  std::filesystem::path socket;
  std::string store;  // the active secret store's kind
  std::chrono::steady_clock::time_point started;
};

/// Adds GET /v1/status to `router`. `info` must outlive the router.
void add_status_routes(http::Router& router, const StatusInfo& info);

}  // namespace bqb
