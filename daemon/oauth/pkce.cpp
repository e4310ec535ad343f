#include "daemon/oauth/pkce.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>

#include "daemon/base/base64.h"
#include "daemon/base/random.h"

namespace bqb::oauth {
namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// 48 bytes encode to exactly 64 base64url characters, all of them valid verifier characters.
constexpr std::size_t kVerifierBytes = 48;

}  // namespace

bool valid_pkce_verifier(std::string_view verifier) {
  return verifier.size() >= 43 && verifier.size() <= 128 &&
         std::all_of(verifier.begin(), verifier.end(), unreserved);
}

Result<std::string> pkce_challenge(std::string_view verifier) {
  if (!valid_pkce_verifier(verifier)) {
    return fail(Errc::bad_request,
                "PKCE code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]");
  }
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest.data());
  return base64url_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

Result<Pkce> make_pkce() {
  BQB_TRY(verifier, random_token(kVerifierBytes));
  BQB_TRY(challenge, pkce_challenge(verifier.reveal()));
  return Pkce{std::move(verifier), std::move(challenge)};
}

}  // namespace bqb::oauth
