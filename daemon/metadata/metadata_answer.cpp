#include "daemon/metadata/metadata_answer.h"
#include "proto/json_text.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "daemon/base/ascii.h"

namespace bqb::metadata {
namespace {

MetadataReply text(std::string body) {
  return MetadataReply{200, std::string(kText), std::move(body)};
}

MetadataReply json_reply(const nlohmann::json& j) {
  return MetadataReply{200, std::string(kJson), json_text(j)};
}

MetadataReply refuse(int status, std::string reason) {
  reason.push_back('\n');
  return MetadataReply{status, std::string(kText), std::move(reason)};
}

bool names_identity(std::string_view name, const MetadataIdentity& identity) {
  if (name == "default") return true;
  return ascii_iequals(name, identity.account);
}

std::string lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += i + "\n";
  return out;
}

std::variant<MetadataReply, TokenNeeded> token_call(const MetadataCall& call,
                                                    const MetadataIdentity& identity) {
  if (!call.scopes_param || call.scopes_param->empty()) return TokenNeeded{identity.scopes};
  auto wanted =
      oauth::ScopeSet::parse_comma_separated(*call.scopes_param, "the 'scopes' parameter");
  if (!wanted) return refuse(400, wanted.error().message);
  if (wanted->empty()) return TokenNeeded{identity.scopes};
  const auto missing = wanted->missing_from(identity.scopes);
  if (!missing.empty()) {
    return refuse(403,
                  fmt::format("this endpoint serves {} with the scopes {}; not granted here: {}",
                              identity.account, fmt::join(identity.scopes.items(), ","),
                              fmt::join(missing, ",")));
  }
  return TokenNeeded{std::move(*wanted)};
}

}  // namespace

std::variant<MetadataReply, TokenNeeded> answer(const MetadataCall& call,
                                                const MetadataIdentity& identity) {
  switch (call.resource) {
    case Resource::listing:
      return text(call.listing);
    case Resource::service_accounts:
      return text(fmt::format("default/\n{}/\n", identity.account));
    case Resource::project_id:
      if (!identity.project) {
        return refuse(404, "no project is configured: set default_project in config.toml");
      }
      return text(*identity.project);
    default:
      break;
  }
  if (!names_identity(call.service_account, identity)) {
    return refuse(404, fmt::format("unknown service account '{}'; this endpoint serves 'default'",
                                   call.service_account));
  }
  switch (call.resource) {
    case Resource::account_info:
      return json_reply(nlohmann::json{{"aliases", {"default"}},
                                       {"email", identity.account},
                                       {"scopes", identity.scopes.items()}});
    case Resource::account_listing:
      return text("aliases\nemail\nscopes\ntoken\n");
    case Resource::email:
      return text(identity.account);
    case Resource::scopes:
      return text(lines(identity.scopes.items()));
    case Resource::aliases:
      return text("default\n");
    case Resource::token:
      return token_call(call, identity);
    default:
      return refuse(404, "not found");
  }
}

MetadataReply token_reply(const Secret& access_token,
                          std::chrono::system_clock::time_point expires_at,
                          std::chrono::system_clock::time_point now) {
  const auto left = std::chrono::floor<std::chrono::seconds>(expires_at - now).count();
  return json_reply(nlohmann::json{{"access_token", access_token.reveal()},
                                   {"expires_in", std::max<std::int64_t>(0, left)},
                                   {"token_type", "Bearer"}});
}

MetadataReply error_reply(const Error& error) {
  std::string body = error.message;
  if (!error.hint.empty()) body += fmt::format(" (hint: {})", error.hint);
  return refuse(http_status(error.code), std::move(body));
}

}  // namespace bqb::metadata
