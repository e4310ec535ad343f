#include "daemon/tokens/token_refresh.h"

#include <fmt/format.h>

#include "daemon/accounts/account_directory.h"
#include "daemon/base/redact.h"
#include "daemon/net/backoff.h"
#include "daemon/net/http_client.h"
#include "daemon/oauth/form.h"
#include "daemon/oauth/token_exchange.h"

namespace bqb {

namespace {

/// @returns the URL without its query, for messages (a token_uri has none, but be sure).
std::string where_of(const std::string& token_uri) {
  return token_uri.substr(0, token_uri.find('?'));
}

/// @returns the outcome of the token endpoint's answer `response` to the grant sent at `now`.
RefreshOutcome outcome_of(const HttpResponse& response, const oauth::ScopeSet& scopes,
                          bool narrower, const std::string& where,
                          std::chrono::system_clock::time_point now) {
  RefreshOutcome out;
  auto parsed = oauth::parse_token_response(response.status, response.body,
                                            oauth::Grant::refresh_token, where);
  if (!parsed) {
    out.token = tl::unexpected(parsed.error());
    const auto kind = parsed.error().code;
    if (kind == Errc::needs_login) {
      out.action = RetryAction::relogin;
      out.reason = oauth::classify_token_error(response.status, response.body).reason;
    } else if (kind == Errc::upstream_unavailable) {
      out.action = RetryAction::retry;
      if (auto value = response.header("Retry-After")) {
        if (auto wait = parse_retry_after(*value, now)) out.retry_after = *wait;
      }
    }
    return out;
  }
  Redactor::global().remember(parsed->access_token.reveal());
  oauth::ScopeSet issued = parsed->scopes.value_or(scopes);
  if (narrower && !issued.subset_of(scopes)) {
    // A program that asked for bigquery.readonly must never receive a token that can write.
    out.token = fail(Errc::upstream_error,
                     fmt::format("{} answered a refresh for [{}] with a token for [{}]; refused",
                                 where, scopes.space_separated(), issued.space_separated()));
    return out;
  }
  out.token = CachedToken{std::move(parsed->access_token), std::move(issued), now,
                          now + parsed->expires_in};
  return out;
}

}  // namespace

boost::asio::awaitable<RefreshOutcome> refresh_access_token(
    HttpClient& http, const AccountCredentials& credentials, const oauth::ScopeSet& scopes,
    bool narrower, std::chrono::milliseconds timeout, std::chrono::system_clock::time_point now) {
  const std::string where = where_of(credentials.client.token_uri);
  HttpRequest request;
  request.method = "POST";
  request.url = credentials.client.token_uri;
  request.headers = {{"Content-Type", std::string(oauth::kFormContentType)},
                     {"Accept", "application/json"}};
  request.body = oauth::refresh_body(credentials.client, credentials.refresh_token,
                                     narrower ? &scopes : nullptr)
                     .reveal();
  request.timeout = timeout;
  auto response = co_await http.send(std::move(request));
  if (!response) {
    // The client's message names host and port only: say which call it was, as the answers do.
    RefreshOutcome out;
    Error e = response.error();
    e.message = fmt::format("the token endpoint {}: {}", where, e.message);
    out.token = tl::unexpected(std::move(e));
    out.action = response.error().code == Errc::upstream_unavailable ? RetryAction::retry
                                                                     : RetryAction::fail;
    co_return out;
  }
  co_return outcome_of(*response, scopes, narrower, where, now);
}

}  // namespace bqb
