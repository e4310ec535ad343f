#pragma once
// The Application Default Credentials file that `gcloud auth application-default login` writes
// (~/.config/gcloud/application_default_credentials.json), for `bqbroker login --import-adc`:
// {"type": "authorized_user", "client_id", "client_secret", "refresh_token", "quota_project_id"?}.
// It names no token endpoint: Google's is used.

#include <optional>
#include <string>
#include <string_view>

#include "daemon/oauth/oauth_client.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::oauth {

struct AuthorizedUser {
  OAuthClient client;  // token_uri is always kGoogleTokenUri
  Secret refresh_token;
  std::optional<std::string> quota_project_id;
};

/// @returns the credentials in `text`; `where` names the file in messages. Bad JSON or a
/// missing/mistyped/empty field is invalid_json naming the field; another `type`
/// (service_account, external_account, …) is bad_request naming the type. No message quotes the
/// refresh token or client secret.
Result<AuthorizedUser> parse_adc_file(std::string_view text, std::string_view where);

}  // namespace bqb::oauth
