#include "daemon/io/api_status.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "bqbroker_version.h"
#include "daemon/io/api_accounts.h"
#include "proto/api.h"

namespace bqb {

void add_status_routes(http::Router& router, const StatusInfo& info) {
  router.add(http::beast_http::verb::get, "/v1/status",
             [&info](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
               api::StatusResponse s;
               s.version = kVersion;
               s.pid = ::getpid();
               s.uptime_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::steady_clock::now() - info.started)
                                      .count();
               s.socket = info.socket.string();
               s.store = info.store;
               if (info.accounts != nullptr) {
                 s.store = std::string(info.accounts->store_kind());
                 for (const auto& a : accounts_response(*info.accounts).accounts) {
                   s.accounts.push_back(api::to_json(a));
                 }
               }
               co_return http::json_response(200, api::to_json(s));
             });
}

}  // namespace bqb
