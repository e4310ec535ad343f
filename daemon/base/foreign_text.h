#pragma once
// Text that arrives from outside (Google's error_description, a redirect's error parameters)
// made fit to put into an error message or a log line.

#include <cstddef>
#include <string>
#include <string_view>

namespace bqb {

/// @returns `text` with token-shaped runs redacted (redact_token_shapes), control characters
/// turned into spaces, and cut to at most `max_bytes` bytes (at a UTF-8 character boundary,
/// with "…" appended when cut).
std::string sanitize_foreign_text(std::string_view text, std::size_t max_bytes = 300);

}  // namespace bqb
