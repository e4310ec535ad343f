#include "client/cli/token_text.h"
#include "proto/json_text.h"

#include <nlohmann/json.hpp>

namespace bqb::cli {

std::optional<TokenFormat> parse_token_format(std::string_view name) {
  if (name == "raw") return TokenFormat::raw;
  if (name == "json") return TokenFormat::json;
  if (name == "header") return TokenFormat::header;
  return std::nullopt;
}

std::string render_token(const api::AccessToken& token, TokenFormat format) {
  switch (format) {
    case TokenFormat::raw:
      return token.access_token.reveal() + "\n";
    case TokenFormat::header:
      return "Authorization: " + token.token_type + " " + token.access_token.reveal() + "\n";
    case TokenFormat::json:
      return json_text(api::to_json(token)) + "\n";
  }
  return {};
}

}  // namespace bqb::cli
