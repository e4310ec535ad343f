#pragma once
// Google's client_secrets.json, as the Cloud console downloads it for an OAuth client of type
// "Desktop app": {"installed": {"client_id", "client_secret", "project_id", "auth_uri",
// "token_uri", "redirect_uris", …}}. Parsing is pure: the CLI or the daemon reads the file.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/oauth/oauth_client.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::oauth {

struct ClientSecrets {
  std::string client_id;
  Secret client_secret;
  std::optional<std::string> project_id;
  std::string auth_uri;   // absolute http(s) URL
  std::string token_uri;  // absolute http(s) URL
  std::vector<std::string> redirect_uris;

  /// @returns what a token request needs.
  OAuthClient client() const { return OAuthClient{client_id, client_secret, token_uri}; }
};

/// @returns the "installed" client in `text`. `where` names the source in messages (a file path,
/// or "client_secrets in the login request"). Errors: bad JSON or a missing/mistyped/empty field
/// is invalid_json naming the field; a "web" client or a URL field that is not an absolute
/// http(s) URL is bad_request saying what to do. No message quotes client_secret.
Result<ClientSecrets> parse_client_secrets(std::string_view text, std::string_view where);

/// @returns success when `uri` is an absolute http or https URL with a host; otherwise
/// bad_request naming `field` and `where`. Shared by the credential-file parsers.
Status check_endpoint_uri(std::string_view uri, std::string_view field, std::string_view where);

}  // namespace bqb::oauth
