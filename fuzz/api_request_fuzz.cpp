// Fuzz target: the JSON bodies of the socket API (proto/openapi.yaml) as any local program may
// send them, through each operation's parser. The first byte picks the operation.

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "proto/accounts_api.h"
#include "proto/json_fields.h"
#include "proto/login_api.h"
#include "proto/metadata_api.h"
#include "proto/query_api.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace api = bqb::api;
  bqb::fuzz::Input in(data, size);
  const std::uint8_t op = in.take_byte();
  auto body = bqb::json_fields::parse(in.text, "the request body");
  if (!body) return 0;
  switch (op % 6) {
    case 0:
      (void)api::parse_query_request(*body);
      break;
    case 1:
      (void)api::parse_login_start_request(*body);
      break;
    case 2:
      (void)api::parse_import_adc_request(*body);
      break;
    case 3:
      (void)api::parse_set_default_request(*body);
      break;
    case 4:
      (void)api::parse_metadata_session_request(*body);
      break;
    default:
      (void)api::parse_login_redirect_request(*body);
      break;
  }
  return 0;
}
