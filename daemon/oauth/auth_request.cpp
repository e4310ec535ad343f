#include "daemon/oauth/auth_request.h"

#include <fmt/format.h>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "daemon/oauth/client_secrets.h"
#include "daemon/oauth/form.h"
#include "daemon/oauth/pkce.h"

namespace bqb::oauth {

Result<std::string> build_auth_url(const AuthRequest& r) {
  constexpr std::string_view kWhere = "the authorization request";
  if (auto ok = check_endpoint_uri(r.auth_uri, "auth_uri", kWhere); !ok) {
    return tl::unexpected(ok.error());
  }
  for (auto [name, value] :
       {std::pair<std::string_view, std::string_view>{"client_id", r.client_id},
        {"redirect_uri", r.redirect_uri},
        {"state", r.state.reveal()},
        {"code_challenge", r.code_challenge}}) {
    if (value.empty())
      return fail(Errc::bad_request, fmt::format("{} of {} is empty", name, kWhere));
  }
  if (r.scopes.empty()) return fail(Errc::bad_request, fmt::format("no scopes in {}", kWhere));

  boost::urls::url url = *boost::urls::parse_absolute_uri(r.auth_uri);
  std::string scope = r.scopes.space_separated();
  FormFields fields{
      {"response_type", "code"},
      {"client_id", r.client_id},
      {"redirect_uri", r.redirect_uri},
      {"scope", scope},
      {"state", r.state.reveal()},
      {"code_challenge", r.code_challenge},
      {"code_challenge_method", kPkceMethod},
      {"access_type", "offline"},
      {"prompt", "consent"},
      {"include_granted_scopes", "true"},
  };
  if (r.login_hint && !r.login_hint->empty()) fields.emplace_back("login_hint", *r.login_hint);
  append_query(url, fields);
  return std::string(url.buffer());
}

}  // namespace bqb::oauth
