// Fuzz target: the credential files a user hands over: client_secrets.json (login) and a gcloud
// ADC file (login --import-adc), the same bytes through both parsers.

#include <cstddef>
#include <cstdint>

#include "daemon/accounts/adc_file.h"
#include "daemon/oauth/client_secrets.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bqb::fuzz::Input in(data, size);
  (void)bqb::oauth::parse_client_secrets(in.text, "client_secrets.json");
  (void)bqb::oauth::parse_adc_file(in.text, "application_default_credentials.json");
  return 0;
}
