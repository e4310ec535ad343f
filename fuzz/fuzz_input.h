#pragma once
// What every fuzz target here shares: the input as text, and a way to split off a selector byte
// so that one target can reach several entry points of one parser family.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bqb::fuzz {

struct Input {
  std::string_view text;

  Input(const std::uint8_t* data, std::size_t size)
      : text(reinterpret_cast<const char*>(data), size) {}

  /// @returns the first byte (0 when there is none) and drops it from `text`.
  std::uint8_t take_byte() {
    if (text.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(text.front());
    text.remove_prefix(1);
    return b;
  }
};

}  // namespace bqb::fuzz
