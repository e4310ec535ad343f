#pragma once
// Logging setup: spdlog to stderr (journald picks it up under systemd), every line passed through
// the global Redactor before it is written, so no secret reaches the log whatever a caller passes.

#include <string_view>

#include "proto/error.h"

namespace bqb {

/// Installs the redacting stderr logger as spdlog's default, at `level` ("trace" … "off").
/// @returns bad_request naming the level when it is not one of spdlog's names.
Status init_logging(std::string_view level);

}  // namespace bqb
