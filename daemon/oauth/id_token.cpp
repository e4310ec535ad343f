#include "daemon/oauth/id_token.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/base/base64.h"

namespace bqb::oauth {

// The signature is deliberately not checked. The id_token is only ever read from the token
// endpoint's own response, received over a TLS connection whose certificate and host name were
// verified, in exchange for a code bound to our PKCE verifier. OpenID Connect Core §3.1.3.7 lets
// a client use TLS server validation instead of the signature in exactly this case.
Result<IdTokenClaims> decode_id_token(std::string_view id_token, std::string_view where) {
  auto bad = [&](std::string_view problem) {
    return fail(Errc::upstream_error, fmt::format("the id_token from {} {}", where, problem));
  };
  std::size_t first = id_token.find('.');
  std::size_t second = first == std::string_view::npos ? first : id_token.find('.', first + 1);
  if (second == std::string_view::npos ||
      id_token.find('.', second + 1) != std::string_view::npos) {
    return bad("is not a JWT (three dot-separated parts)");
  }
  auto payload = base64url_decode(id_token.substr(first + 1, second - first - 1));
  if (!payload) return bad("has a payload that is not base64url");
  auto claims = nlohmann::json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return bad("has a payload that is not a JSON object");

  IdTokenClaims out;
  auto email = claims.find("email");
  if (email == claims.end() || !email->is_string() ||
      email->get_ref<const std::string&>().empty()) {
    return bad("has no 'email' claim (was the 'email' scope granted?)");
  }
  out.email = email->get<std::string>();
  // The email names the account in file names, keyring attributes, logs and HTML: only a
  // plausible address is accepted.
  bool plausible = out.email.size() <= 254 && out.email.find('@') != std::string::npos &&
                   std::all_of(out.email.begin(), out.email.end(), [](char c) {
                     auto u = static_cast<unsigned char>(c);
                     return u > 0x20 && u != 0x7f && c != '/' && c != '\\' && c != '"';
                   });
  if (!plausible) return bad("has an 'email' claim that is not an email address");
  // Google has sent email_verified both as a boolean and as the string "true"/"false".
  auto verified = claims.find("email_verified");
  if (verified != claims.end() && !verified->is_null()) {
    if (verified->is_boolean()) {
      out.email_verified = verified->get<bool>();
    } else if (verified->is_string() && (*verified == "true" || *verified == "false")) {
      out.email_verified = *verified == "true";
    } else {
      return bad("has an 'email_verified' claim that is not a boolean");
    }
  }
  return out;
}

}  // namespace bqb::oauth
