#pragma once
// What a token request needs to know about the OAuth client: the part of client_secrets.json (or
// of an ADC authorized_user file) that the daemon keeps after login.

#include <string>
#include <string_view>

#include "proto/secret.h"

namespace bqb::oauth {

/// Google's token endpoint; the default where a credentials file names none (ADC files).
inline constexpr std::string_view kGoogleTokenUri = "https://oauth2.googleapis.com/token";

struct OAuthClient {
  std::string client_id;
  Secret client_secret;
  std::string token_uri{kGoogleTokenUri};

  friend bool operator==(const OAuthClient&, const OAuthClient&) = default;
};

}  // namespace bqb::oauth
