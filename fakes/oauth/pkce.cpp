#include "fakes/oauth/pkce.h"

#include <algorithm>

#include <openssl/crypto.h>

#include "fakes/oauth/crypto.h"

namespace bqb::fakes {

bool is_pkce_string(std::string_view s) {
  if (s.size() < 43 || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
  });
}

std::string s256_challenge(std::string_view verifier) { return base64url(sha256(verifier)); }

bool verify_s256(std::string_view verifier, std::string_view challenge) {
  if (!is_pkce_string(verifier)) return false;
  std::string computed = s256_challenge(verifier);
  return computed.size() == challenge.size() &&
         CRYPTO_memcmp(computed.data(), challenge.data(), computed.size()) == 0;
}

}  // namespace bqb::fakes
