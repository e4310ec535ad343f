#pragma once
// Opening a URL in the user's browser, the way `xdg-open` users expect: `$BROWSER` when set
// (first entry of a colon-separated list, `%s` replaced by the URL), else `xdg-open`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/error.h"

namespace bqb::cli {

/// @returns the argv that opens `url`: `browser_env` is $BROWSER (nullopt or empty: `xdg-open`);
/// its first colon-separated entry is split on blanks, `%s` in a word is replaced by `url`, and
/// `url` is appended when no word held `%s`.
std::vector<std::string> browser_command(std::string_view url,
                                         std::optional<std::string_view> browser_env);

/// @returns whether a graphical session is there ($DISPLAY or $WAYLAND_DISPLAY set, non-empty).
bool display_available();

/// Starts the browser on `url` (browser_command with $BROWSER) without waiting for it, its
/// stdin/stdout/stderr on /dev/null. @returns io_error when it cannot be started.
Status open_browser(std::string_view url);

}  // namespace bqb::cli
