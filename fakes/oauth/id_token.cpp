#include "fakes/oauth/id_token.h"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "fakes/oauth/crypto.h"

namespace bqb::fakes {

std::string subject_for(std::string_view email) {
  std::string digest = sha256(email);
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n = (n << 8) | static_cast<unsigned char>(digest[i]);
  return "1" + std::to_string(n);
}

std::string make_id_token(std::string_view client_id, std::string_view email,
                          Clock::time_point now) {
  const auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  nlohmann::json header = {{"alg", "RS256"}, {"kid", "fake-google"}, {"typ", "JWT"}};
  nlohmann::json payload = {
      {"iss", kIssuer}, {"azp", client_id},       {"aud", client_id}, {"sub", subject_for(email)},
      {"email", email}, {"email_verified", true}, {"iat", iat},       {"exp", iat + 3600}};
  std::string signing_input = base64url(header.dump()) + "." + base64url(payload.dump());
  // Not a signature: a digest, so the third part has a plausible length and shape.
  return signing_input + "." + base64url(sha256("fake-google:" + signing_input));
}

}  // namespace bqb::fakes
