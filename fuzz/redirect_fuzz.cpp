// Fuzz target: the end of a login: the request-target the browser sends to the loopback listener,
// and the address a user pastes when the browser cannot reach it.

#include <cstddef>
#include <cstdint>

#include "daemon/oauth/redirect.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bqb::fuzz::Input in(data, size);
  constexpr std::string_view kRedirectUri = "http://127.0.0.1:8085/";
  (void)bqb::oauth::parse_redirect_target(in.text, kRedirectUri);
  (void)bqb::oauth::parse_pasted_redirect(in.text, kRedirectUri);
  return 0;
}
