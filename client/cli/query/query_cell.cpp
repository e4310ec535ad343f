#include "client/cli/query/query_cell.h"
#include "proto/json_text.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace bqb::cli {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kEllipsis = "…";

std::string compact(const ordered_json& v) {
  // replace: a value that is not valid UTF-8 is shown with U+FFFD instead of throwing.
  return json_text(v);
}

struct Range {
  char32_t first, last;
};

// Zero-width: combining marks, zero-width space/joiners, variation selectors.
constexpr std::array kZeroWidth{
    Range{0x0300, 0x036F}, Range{0x0483, 0x0489},   Range{0x0591, 0x05BD}, Range{0x0610, 0x061A},
    Range{0x064B, 0x065F}, Range{0x0E31, 0x0E31},   Range{0x0E34, 0x0E3A}, Range{0x1AB0, 0x1AFF},
    Range{0x1DC0, 0x1DFF}, Range{0x200B, 0x200F},   Range{0x20D0, 0x20FF}, Range{0xFE00, 0xFE0F},
    Range{0xFE20, 0xFE2F}, Range{0xE0100, 0xE01EF},
};

// East Asian Wide and Fullwidth, and the emoji blocks terminals draw two columns wide.
constexpr std::array kWide{
    Range{0x1100, 0x115F},   Range{0x2E80, 0x303E},   Range{0x3041, 0x33FF},
    Range{0x3400, 0x4DBF},   Range{0x4E00, 0x9FFF},   Range{0xA000, 0xA4CF},
    Range{0xAC00, 0xD7A3},   Range{0xF900, 0xFAFF},   Range{0xFE30, 0xFE4F},
    Range{0xFF00, 0xFF60},   Range{0xFFE0, 0xFFE6},   Range{0x1F300, 0x1F64F},
    Range{0x1F900, 0x1F9FF}, Range{0x20000, 0x2FFFD}, Range{0x30000, 0x3FFFD},
};

template <std::size_t N>
bool in(const std::array<Range, N>& ranges, char32_t c) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [c](const Range& r) { return c >= r.first && c <= r.last; });
}

/// Decodes the code point at the start of `s`. @returns it and its length in bytes; an invalid
/// sequence yields one byte as U+FFFD.
std::pair<char32_t, std::size_t> decode(std::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  std::size_t len;
  char32_t c;
  if (b0 < 0x80) return {b0, 1};
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    c = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    c = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    c = b0 & 0x07;
  } else {
    return {0xFFFD, 1};
  }
  if (s.size() < len) return {0xFFFD, 1};
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return {0xFFFD, 1};
    c = (c << 6) | (b & 0x3F);
  }
  return {c, len};
}

std::size_t width_of(char32_t c) {
  if (in(kZeroWidth, c)) return 0;
  if (in(kWide, c)) return 2;
  return 1;
}

}  // namespace

std::optional<std::string> cell_text(const ordered_json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.get<std::string>();
  return compact(v);
}

std::string csv_text(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_field(const ordered_json& v) {
  auto text = cell_text(v);
  if (!text) return "";
  if (text->empty()) return "\"\"";
  return csv_text(*text);
}

std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7F) {
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::size_t display_width(std::string_view utf8) {
  std::size_t width = 0;
  while (!utf8.empty()) {
    auto [c, len] = decode(utf8);
    width += width_of(c);
    utf8.remove_prefix(len);
  }
  return width;
}

std::string fit_width(std::string_view utf8, std::size_t width) {
  if (display_width(utf8) <= width) return std::string(utf8);
  if (width == 0) return "";
  std::string out;
  std::size_t used = 0;
  while (!utf8.empty()) {
    auto [c, len] = decode(utf8);
    const std::size_t w = width_of(c);
    if (used + w > width - 1) break;
    out.append(utf8.substr(0, len));
    used += w;
    utf8.remove_prefix(len);
  }
  out += kEllipsis;
  return out;
}

}  // namespace bqb::cli
