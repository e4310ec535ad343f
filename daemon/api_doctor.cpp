#include "daemon/api_doctor.h"

#include <boost/asio/awaitable.hpp>

#include "daemon/accounts/secret_store.h"
#include "daemon/base/blocking.h"
#include "daemon/base/config_file.h"
#include "daemon/net/http_client.h"
#include "daemon/net/http_date.h"
#include "daemon/net/outbound_url.h"
#include "proto/doctor_api.h"
#include "proto/routes.h"

namespace bqb {
namespace {

using boost::asio::awaitable;

/// A key no account has: looking it up costs the store what a refresh's first step costs.
const SecretKey kProbeKey{"bqbroker-doctor-probe", "bqbroker-doctor-probe"};

/// @returns why the configuration file would not load now, if it would not.
awaitable<std::optional<Error>> config_error(const DoctorInfo& info) {
  // Named, not a temporary in the co_await expression (g++ 12: see daemon/base/blocking.h).
  auto load = [where = info.config]() -> Status {
    return load_config_file(where).map([](auto&&) {});
  };
  auto loaded = co_await info.blocking->run(std::move(load));
  co_return loaded ? std::nullopt : std::optional<Error>(loaded.error());
}

/// @returns why the store cannot be used, if it cannot.
awaitable<std::optional<Error>> store_error(const DoctorInfo& info) {
  auto probe = [store = info.store]() -> Status {
    return store->get(kProbeKey).map([](auto&&) {});
  };
  auto found = co_await info.blocking->run(std::move(probe));
  co_return found ? std::nullopt : std::optional<Error>(found.error());
}

/// One GET to the token endpoint's origin; any status will do, only its `Date` is read.
awaitable<api::DoctorClock> read_clock(const DoctorInfo& info) {
  api::DoctorClock clock;
  auto target = parse_outbound_url(info.token_uri);
  if (!target) {
    clock.url = info.token_uri;
    clock.error = target.error();
    co_return clock;
  }
  clock.url = target->origin() + "/";
  HttpRequest request;
  request.url = clock.url;
  request.timeout = info.request_timeout;
  const auto sent = std::chrono::system_clock::now();
  auto response = co_await info.http->send(std::move(request));
  const auto received = std::chrono::system_clock::now();
  if (!response) {
    clock.error = response.error();
    co_return clock;
  }
  auto date = response->header("Date");
  clock.skew_seconds = date ? clock_skew_seconds(*date, sent, received) : std::nullopt;
  if (!clock.skew_seconds) {
    clock.error = Error{Errc::upstream_error,
                        clock.url + " answered without a valid Date header (HTTP " +
                            std::to_string(response->status) + ")",
                        ""};
  }
  co_return clock;
}

}  // namespace

void add_doctor_routes(http::Router& router, const DoctorInfo& info) {
  router.add(routes::kDoctor, [&info](http::RequestContext&) -> awaitable<http::Response> {
    api::DoctorResponse r;
    r.config.path = info.config.path.string();
    r.config.error = co_await config_error(info);
    r.store.kind = std::string(info.store->kind());
    r.store.error = co_await store_error(info);
    r.clock = co_await read_clock(info);
    r.metadata_listen = info.metadata_listen;
    co_return http::json_response(200, api::to_json(r));
  });
}

}  // namespace bqb
