#include "daemon/base/foreign_text.h"

#include "daemon/base/redact.h"

namespace bqb {

std::string sanitize_foreign_text(std::string_view text, std::size_t max_bytes) {
  std::string out = redact_token_shapes(text);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    // Do not split a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  return out;
}

}  // namespace bqb
