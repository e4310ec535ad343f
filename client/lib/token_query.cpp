#include "client/lib/token_query.h"

#include <string_view>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "proto/routes.h"
#include "proto/token_api.h"

namespace bqb::client {
namespace {

void append_param(std::string& query, std::string_view name, std::string_view value) {
  query += query.empty() ? '?' : '&';
  query.append(name);
  query += '=';
  // Boost.URL's params() leaves '+' as is, and a decoder treating '+' as space would turn
  // "ann+bq@example.com" into another account; unreserved_chars encodes it as %2B.
  query += boost::urls::encode(value, boost::urls::unreserved_chars);
}

}  // namespace

std::string token_query_string(const TokenQuery& q) {
  std::string query;
  if (q.account) append_param(query, api::kTokenAccountParam, *q.account);
  for (const std::string& scope : q.scopes) append_param(query, api::kTokenScopeParam, scope);
  if (q.min_valid) append_param(query, api::kTokenMinValidParam, std::to_string(*q.min_valid));
  return query;
}

Result<api::AccessToken> fetch_token(DaemonClient& daemon, const TokenQuery& q) {
  BQB_TRY(answer, daemon.request(routes::kToken, {{}, token_query_string(q)}));
  return api::parse_access_token(answer.body);
}

}  // namespace bqb::client
