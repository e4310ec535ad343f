#include "daemon/oauth/tokeninfo.h"

#include <fmt/format.h>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "daemon/base/foreign_text.h"
#include "daemon/oauth/form.h"
#include "proto/json_fields.h"

namespace bqb::oauth {

namespace urls = boost::urls;

Result<std::string> tokeninfo_uri(std::string_view token_uri) {
  auto parsed = urls::parse_absolute_uri(token_uri);
  if (!parsed ||
      (parsed->scheme_id() != urls::scheme::https && parsed->scheme_id() != urls::scheme::http) ||
      !parsed->has_authority()) {
    return fail(Errc::bad_request, fmt::format("token_uri '{}' is not an absolute http(s) URL",
                                               sanitize_foreign_text(token_uri)));
  }
  urls::url u;
  u.set_scheme_id(parsed->scheme_id());
  u.set_encoded_authority(parsed->encoded_authority());
  u.set_path("/tokeninfo");
  return std::string(u.buffer());
}

std::string tokeninfo_request_url(std::string_view tokeninfo, const Secret& access_token) {
  urls::url u(tokeninfo);
  append_query(u, {{"access_token", access_token.reveal()}});
  return std::string(u.buffer());
}

Result<TokenInfo> parse_tokeninfo(int http_status, std::string_view body, std::string_view where) {
  if (http_status / 100 != 2) {
    return fail(Errc::upstream_error, fmt::format("{} answered HTTP {}: {}", where, http_status,
                                                  sanitize_foreign_text(body)));
  }
  const std::string context = fmt::format("the answer of {}", where);
  auto j = json_fields::parse(body, context);
  if (!j) {
    return fail(Errc::upstream_error, j.error().message);
  }
  auto email = json_fields::optional_string(*j, "email", context);
  auto scope = json_fields::optional_string(*j, "scope", context);
  if (!email) return fail(Errc::upstream_error, email.error().message);
  if (!scope) return fail(Errc::upstream_error, scope.error().message);
  if (!*email || (*email)->empty()) {
    return fail(
        Errc::login_failed,
        fmt::format("{} names no email: the token was granted without the email scope", where),
        "use `gcloud auth application-default login` with its default scopes, or "
        "`bqbroker login`");
  }
  TokenInfo out;
  out.email = std::move(**email);
  const std::string scope_text = scope->value_or("");
  std::string_view rest = scope_text;
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const auto end = rest.find(' ');
    out.scopes.emplace_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  }
  return out;
}

}  // namespace bqb::oauth
