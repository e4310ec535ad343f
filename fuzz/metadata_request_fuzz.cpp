// Fuzz target: a metadata-server request as any local program may send it: the request-target,
// Host and Metadata-Flavor. The first byte picks the method and which headers are present; the
// rest is split at the first two newlines into target, Host and flavor.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "daemon/metadata/metadata_request.h"
#include "fuzz/fuzz_input.h"

namespace {

std::string_view take_line(std::string_view& text) {
  const auto nl = text.find('\n');
  const auto line = text.substr(0, nl);
  text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bqb::fuzz::Input in(data, size);
  const std::uint8_t flags = in.take_byte();
  constexpr std::array<std::string_view, 4> kMethods{"GET", "HEAD", "POST", "PUT"};
  bqb::metadata::MetadataHttpRequest request;
  request.method = kMethods[flags % kMethods.size()];
  request.target = take_line(in.text);
  const std::string_view host = take_line(in.text);
  if (flags & 0x04) request.host = host;
  request.metadata_flavor = (flags & 0x08) ? std::optional(in.text) : std::string_view("Google");
  request.has_forwarded_for = flags & 0x10;
  request.has_origin = flags & 0x20;
  (void)bqb::metadata::classify(request);
  return 0;
}
