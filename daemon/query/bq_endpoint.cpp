#include "daemon/query/bq_endpoint.h"

#include <fmt/format.h>
#include <boost/url/parse.hpp>

#include "daemon/base/config.h"
#include "daemon/net/outbound_url.h"

namespace bqb::bq {
namespace {

constexpr std::string_view kApiPath = "/bigquery/v2";

/// @returns "scheme://host[:port]" of `url` after the outbound policy accepted it; errors name
/// `source`.
Result<std::string> checked_origin(std::string_view url, std::string_view source) {
  auto u = boost::urls::parse_uri(url);
  if (!u || !u->has_authority() || u->encoded_host().empty() || u->has_userinfo() ||
      u->has_query() || u->has_fragment()) {
    return fail(Errc::config_invalid,
                fmt::format("{} '{}' is not an http(s) URL or host:port", source, url),
                "e.g. http://127.0.0.1:9050 or localhost:9050");
  }
  std::string_view path = u->encoded_path();
  if (path.ends_with('/')) path.remove_suffix(1);
  if (!path.empty() && path != kApiPath) {
    return fail(Errc::config_invalid,
                fmt::format("{} '{}' has the path '{}'; only {} (or none) is allowed", source, url,
                            u->encoded_path(), kApiPath));
  }
  std::string origin =
      fmt::format("{}://{}", u->scheme(), std::string_view(u->encoded_host_and_port()));
  auto policy = parse_outbound_url(origin);
  if (!policy) {
    Error e = policy.error();
    e.message = fmt::format("{}: {}", source, e.message);
    if (e.code == Errc::bad_request) e.code = Errc::config_invalid;
    return tl::unexpected(std::move(e));
  }
  return origin;
}

}  // namespace

Result<std::string> api_root(std::string_view config_endpoint,
                             std::optional<std::string_view> emulator_host) {
  if (config_endpoint != kDefaultBigQueryEndpoint || !emulator_host || emulator_host->empty()) {
    BQB_TRY(origin, checked_origin(config_endpoint, "[bigquery] endpoint"));
    return origin + std::string(kApiPath);
  }
  const std::string_view value = *emulator_host;
  // Go's client takes "host:port" and speaks plain http to it.
  const std::string url = value.find("://") == std::string_view::npos
                              ? "http://" + std::string(value)
                              : std::string(value);
  BQB_TRY(origin, checked_origin(url, kEmulatorHostVariable));
  return origin + std::string(kApiPath);
}

Result<std::string> resolve_project(const std::optional<std::string>& requested,
                                    const std::optional<std::string>& default_project,
                                    const std::optional<std::string>& account_project) {
  for (const auto* p : {&requested, &default_project, &account_project}) {
    if (*p && !(*p)->empty()) return **p;
  }
  return fail(Errc::bad_request,
              "the query names no project, and neither the configuration (default_project) nor "
              "the account's client_secrets project gives one",
              "pass --project P, or set default_project in config.toml");
}

}  // namespace bqb::bq
