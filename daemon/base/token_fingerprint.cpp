#include "daemon/base/token_fingerprint.h"

#include <openssl/sha.h>

#include <array>

#include <fmt/format.h>

namespace bqb {

std::string token_fingerprint(const Secret& token) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(token.reveal().data()), token.reveal().size(),
         digest.data());
  return fmt::format("{:02x}{:02x}{:02x}{:02x}", digest[0], digest[1], digest[2], digest[3]);
}

}  // namespace bqb
