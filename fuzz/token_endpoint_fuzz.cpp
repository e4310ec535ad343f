// Fuzz target: what Google's OAuth endpoints answer: the token endpoint (both grants, any HTTP
// status), tokeninfo, and the id_token inside a token answer. The first byte picks the status.

#include <array>
#include <cstddef>
#include <cstdint>

#include "daemon/oauth/id_token.h"
#include "daemon/oauth/token_exchange.h"
#include "daemon/oauth/tokeninfo.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace oauth = bqb::oauth;
  bqb::fuzz::Input in(data, size);
  constexpr std::array kStatus{200, 400, 401, 403, 429, 500, 503, 302};
  const int status = kStatus[in.take_byte() % kStatus.size()];
  (void)oauth::parse_token_response(status, in.text, oauth::Grant::refresh_token, "fuzz");
  if (auto login =
          oauth::parse_token_response(status, in.text, oauth::Grant::authorization_code, "fuzz")) {
    if (login->id_token) (void)oauth::decode_id_token(login->id_token->reveal(), "fuzz");
  }
  (void)oauth::parse_tokeninfo(status, in.text, "fuzz");
  (void)oauth::decode_id_token(in.text, "fuzz");
  return 0;
}
