#include "client/lib/token_query.h"

#include <string_view>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "proto/token_api.h"

namespace bqb::cli {
namespace {

void append_param(std::string& target, std::string_view name, std::string_view value) {
  target += target.find('?') == std::string::npos ? '?' : '&';
  target.append(name);
  target += '=';
  // Boost.URL's params() leaves '+' as is, and a decoder treating '+' as space would turn
  // "ann+bq@example.com" into another account; unreserved_chars encodes it as %2B.
  target += boost::urls::encode(value, boost::urls::unreserved_chars);
}

}  // namespace

std::string token_target(const TokenQuery& q) {
  std::string target = "/v1/token";
  if (q.account) append_param(target, api::kTokenAccountParam, *q.account);
  for (const std::string& scope : q.scopes) append_param(target, api::kTokenScopeParam, scope);
  if (q.min_valid) {
    append_param(target, api::kTokenMinValidParam, std::to_string(*q.min_valid));
  }
  return target;
}

}  // namespace bqb::cli
