#pragma once
// How `bqbroker token` prints a token. Pure.

#include <optional>
#include <string>
#include <string_view>

#include "proto/token_api.h"

namespace bqb::cli {

enum class TokenFormat { raw, json, header };

/// @returns the format named `name`, or nullopt for another name.
std::optional<TokenFormat> parse_token_format(std::string_view name);

/// @returns raw: the token and a newline; header: "Authorization: <type> <token>\n" (curl's
/// `-H @file` reads it as is); json: the AccessToken's JSON on one line and a newline.
std::string render_token(const api::AccessToken& token, TokenFormat format);

}  // namespace bqb::cli
