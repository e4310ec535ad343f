#include "proto/error.h"

#include <array>

namespace bqb {
namespace {

struct ErrcInfo {
  Errc code;
  std::string_view name;
  int http_status;
};

// The one table: wire name and HTTP status of every error code.
constexpr std::array kErrcTable{
    ErrcInfo{Errc::bad_request, "bad_request", 400},
    ErrcInfo{Errc::invalid_json, "invalid_json", 400},
    ErrcInfo{Errc::not_found, "not_found", 404},
    ErrcInfo{Errc::method_not_allowed, "method_not_allowed", 405},
    ErrcInfo{Errc::header_too_large, "header_too_large", 431},
    ErrcInfo{Errc::payload_too_large, "payload_too_large", 413},
    ErrcInfo{Errc::forbidden, "forbidden", 403},
    ErrcInfo{Errc::needs_login, "needs_login", 401},
    ErrcInfo{Errc::scope_not_granted, "scope_not_granted", 403},
    ErrcInfo{Errc::login_denied, "login_denied", 403},
    ErrcInfo{Errc::login_timeout, "login_timeout", 408},
    ErrcInfo{Errc::login_failed, "login_failed", 502},
    ErrcInfo{Errc::config_invalid, "config_invalid", 500},
    ErrcInfo{Errc::io_error, "io_error", 500},
    ErrcInfo{Errc::store_unavailable, "store_unavailable", 503},
    ErrcInfo{Errc::upstream_error, "upstream_error", 502},
    ErrcInfo{Errc::upstream_unavailable, "upstream_unavailable", 503},
    ErrcInfo{Errc::tls_error, "tls_error", 502},
    ErrcInfo{Errc::too_many_connections, "too_many_connections", 503},
    ErrcInfo{Errc::daemon_unreachable, "daemon_unreachable", 503},
    ErrcInfo{Errc::conflict, "conflict", 409},
    ErrcInfo{Errc::shutting_down, "shutting_down", 503},
    ErrcInfo{Errc::invalid_query, "invalid_query", 400},
    ErrcInfo{Errc::access_denied, "access_denied", 403},
    ErrcInfo{Errc::quota_exceeded, "quota_exceeded", 403},
    ErrcInfo{Errc::rate_limited, "rate_limited", 429},
    ErrcInfo{Errc::backend_error, "backend_error", 503},
    ErrcInfo{Errc::internal, "internal", 500},
};

constexpr const ErrcInfo& info(Errc code) {
  for (const auto& i : kErrcTable) {
    if (i.code == code) return i;
  }
  return kErrcTable.back();  // unreachable while the table lists every code (tested)
}

}  // namespace

std::string_view to_string(Errc code) { return info(code).name; }

int http_status(Errc code) { return info(code).http_status; }

std::optional<Errc> errc_from_string(std::string_view name) {
  for (const auto& i : kErrcTable) {
    if (i.name == name) return i.code;
  }
  return std::nullopt;
}

}  // namespace bqb
