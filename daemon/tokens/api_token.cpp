#include "daemon/tokens/api_token.h"

#include <charconv>
#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/accounts/account.h"
#include "proto/routes.h"
#include "proto/token_api.h"

namespace bqb {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

Result<std::chrono::seconds> parse_min_valid(std::string_view text) {
  std::int64_t seconds = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || seconds < 0 ||
      seconds > api::kMaxMinValidSeconds) {
    return fail(Errc::bad_request,
                fmt::format("query parameter {} must be a whole number of seconds from 0 to {}",
                            api::kTokenMinValidParam, api::kMaxMinValidSeconds));
  }
  return std::chrono::seconds(seconds);
}

api::AccessToken access_token_body(const IssuedToken& t) {
  const auto now = std::chrono::system_clock::now();
  api::AccessToken out;
  out.access_token = t.access_token;
  out.expires_in = std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::seconds>(t.expires_at - now).count());
  out.expires_at = format_utc(std::chrono::floor<std::chrono::seconds>(t.expires_at));
  out.scopes = t.scopes.items();
  out.account = t.account;
  return out;
}

awaitable<http::Response> get_token(TokenSource& tokens, http::RequestContext& ctx) {
  auto request = parse_token_query(ctx.target.params());
  if (!request) co_return http::error_response(request.error());
  request->caller.uid = ctx.peer.uid;
  request->caller.pid = ctx.peer.pid;
  request->caller.executable = process_executable(ctx.peer.pid);
  request->caller.via = "socket";
  auto issued = co_await tokens.token(std::move(*request));
  if (!issued) co_return http::error_response(issued.error());
  auto response = http::json_response(200, api::to_json(access_token_body(*issued)));
  response.set(http::beast_http::field::cache_control, "no-store");
  co_return response;
}

}  // namespace

Result<TokenRequest> parse_token_query(boost::urls::params_view query) {
  TokenRequest out;
  std::vector<std::string> scopes;
  for (const auto& param : query) {
    if (param.key == api::kTokenAccountParam) {
      if (out.account) {
        return fail(Errc::bad_request, fmt::format("query parameter {} may be given only once",
                                                   api::kTokenAccountParam));
      }
      if (param.value.empty()) {
        return fail(Errc::bad_request,
                    fmt::format("query parameter {} is empty", api::kTokenAccountParam));
      }
      out.account = param.value;
    } else if (param.key == api::kTokenScopeParam) {
      scopes.push_back(param.value);
    } else if (param.key == api::kTokenMinValidParam) {
      BQB_TRY(min_valid, parse_min_valid(param.value));
      out.min_valid = min_valid;
    } else {
      return fail(Errc::bad_request,
                  fmt::format("unknown query parameter '{}'; GET /v1/token takes {}, {} "
                              "(repeatable) and {}",
                              param.key, api::kTokenAccountParam, api::kTokenScopeParam,
                              api::kTokenMinValidParam));
    }
  }
  if (!scopes.empty()) {
    BQB_TRY(set, oauth::ScopeSet::from_list(scopes, "query parameter scope"));
    out.scopes = std::move(set);
  }
  return out;
}

void add_token_routes(http::Router& router, TokenSource& tokens) {
  router.add(routes::kToken,
             [&tokens](http::RequestContext& ctx) -> awaitable<http::Response> {
               return get_token(tokens, ctx);
             });
}

}  // namespace bqb
