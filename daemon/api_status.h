#pragma once
// GET /v1/status: what the daemon is and what it holds.

#include <chrono>
#include <filesystem>
#include <string>

#include "daemon/server/router.h"

namespace bqb {

class AccountService;
class TokenService;

struct StatusInfo {
  std::filesystem::path socket;
  std::string store;  // the active secret store's kind; AccountService's when `accounts` is set
  std::chrono::steady_clock::time_point started;
  /// The accounts shown in `accounts` (as GET /v1/accounts shows them); none when null.
  const AccountService* accounts = nullptr;
  /// Adds each account's `token_expires_at` and `last_error` (a refresh failure) when set.
  const TokenService* tokens = nullptr;
};

/// Adds GET /v1/status to `router`. `info` must outlive the router.
void add_status_routes(http::Router& router, const StatusInfo& info);

}  // namespace bqb
