#pragma once
// One result value as text, for the csv and pretty formats, and the terminal width of UTF-8
// text. Pure logic.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace bqb::cli {

/// @returns `v` as text: a string as is, a number as JSON writes it (the daemon's exact text),
/// true/false, a RECORD or REPEATED value as compact JSON; nullopt for NULL.
std::optional<std::string> cell_text(const nlohmann::ordered_json& v);

/// @returns `v` as one RFC 4180 field: NULL an empty field, the empty string `""`, a field
/// holding a comma, a quote, CR or LF in quotes with its quotes doubled.
std::string csv_field(const nlohmann::ordered_json& v);
/// @returns `text` quoted as csv_field quotes a string (an empty `text` stays empty).
std::string csv_text(std::string_view text);

/// @returns `text` with C0 control characters and DEL made visible (\n, \t, \r, \x1b, …), so
/// that a value can neither break a table's lines nor send escape sequences to a terminal.
std::string escape_controls(std::string_view text);

/// @returns how many terminal columns `utf8` takes: code points, with combining marks and
/// zero-width characters 0 and East Asian wide characters (CJK, Hangul, emoji) 2; a byte that
/// is not valid UTF-8 counts 1.
std::size_t display_width(std::string_view utf8);

/// @returns `utf8` cut to at most `width` columns, ending in "…" when anything was cut (never
/// in the middle of a code point).
std::string fit_width(std::string_view utf8, std::size_t width);

}  // namespace bqb::cli
