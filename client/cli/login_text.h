#pragma once
// The human text of `bqbroker login`: what to do when no browser opens, and how the result reads.

#include <optional>
#include <string>
#include <string_view>

#include "proto/login_api.h"

namespace bqb::cli {

/// @returns the port of a loopback redirect URI such as "http://127.0.0.1:8085/", or nullopt
/// when `redirect_uri` does not parse or names no port.
std::optional<int> redirect_port(std::string_view redirect_uri);

/// @returns the lines printed when the browser is not opened: the URL to visit, the `ssh -L`
/// hint for remote machines, and — when `read_paste` — the invitation to paste the address the
/// browser was sent to.
std::string render_login_instructions(const api::LoginStarted& started, bool read_paste);

/// @returns "Signed in as EMAIL\n".
std::string render_signed_in(std::string_view email);

}  // namespace bqb::cli
