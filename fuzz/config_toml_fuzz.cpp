// Fuzz target: config.toml, as the daemon parses it (daemon/base/config.h) after reading the file.

#include <cstddef>
#include <cstdint>

#include "daemon/base/config.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bqb::fuzz::Input in(data, size);
  (void)bqb::parse_config(in.text, "/fuzz/config.toml");
  return 0;
}
