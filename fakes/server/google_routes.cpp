#include "fakes/server/google_routes.h"

#include <fmt/format.h>

namespace bqb::fakes {

bigquery::TokenScopes live_token_scopes(const std::optional<FakeGoogle>& google) {
  return [&google](std::string_view token, Clock::time_point now) -> std::optional<ScopeList> {
    const AccessGrant* g = google->live_access_token(token, now);
    return g != nullptr ? std::optional<ScopeList>(g->scopes) : std::nullopt;
  };
}

Handler google_and_bigquery(std::optional<FakeGoogle>& google, bigquery::FakeBigQuery& bq) {
  return [&google, &bq](const FakeRequest& req) {
    const std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
    return bigquery::FakeBigQuery::serves(path) ? bq.handle(req, Clock::now())
                                                : google->handle(req, Clock::now());
  };
}

AccessLog access_log_to(std::function<void(const std::string&)> log_line) {
  return
      [log_line = std::move(log_line)](std::string_view method, std::string_view path, int status) {
        log_line(fmt::format("{} {} -> {}", method, path,
                             status == 0 ? std::string("dropped") : std::to_string(status)));
      };
}

}  // namespace bqb::fakes
