#pragma once
// How the CLI shows a failure on stderr.

#include <string>

#include "proto/error.h"

namespace bqb::cli {

/// @returns "bqbroker: <message>\n", followed by "hint: <hint>\n" when the error has a hint.
std::string render_error(const Error& e);

/// @returns "bqbroker: warning: <message>\n".
std::string render_warning(std::string_view message);

}  // namespace bqb::cli
