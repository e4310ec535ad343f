#include "daemon/metadata/metadata_answer.h"
#include "proto/json_text.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "daemon/base/ascii.h"

namespace bqb::metadata {
namespace {

// One line per scalar: `key value`, a nested key as `outer/inner`, each list item under its
// list's key (a list of objects: under `key/index`, as GCE numbers disks). At the top level,
// without a key, a scalar is a bare line.
void text_lines(const nlohmann::json& value, const std::string& key, std::string& out) {
  if (value.is_object()) {
    for (const auto& [name, child] : value.items()) {
      text_lines(child, key.empty() ? name : key + "/" + name, out);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      const bool nested = value[i].is_structured();
      text_lines(value[i], nested ? (key.empty() ? "" : key + "/") + std::to_string(i) : key, out);
    }
  } else {
    if (!key.empty()) out += key + " ";
    out += value.is_string() ? value.get<std::string>() : value.dump();
    out += "\n";
  }
}

// `value` in the form `alt` asks for; `json_by_default` is the key's own form.
MetadataReply render(const nlohmann::json& value, Alt alt, bool json_by_default) {
  const bool json = alt == Alt::json || (alt == Alt::default_form && json_by_default);
  if (json) return MetadataReply{200, std::string(kJson), json_text(value)};
  // A single value is sent as is, without a line end (as GCE does: `email` is the address).
  std::string body;
  if (value.is_string()) {
    body = value.get<std::string>();
  } else if (value.is_primitive()) {
    body = value.dump();
  } else {
    text_lines(value, "", body);
  }
  return MetadataReply{200, std::string(kText), std::move(body)};
}

nlohmann::json lines_of(std::string_view listing) {
  auto items = nlohmann::json::array();
  while (!listing.empty()) {
    const auto eol = std::min(listing.find('\n'), listing.size());
    items.push_back(std::string(listing.substr(0, eol)));
    listing.remove_prefix(std::min(eol + 1, listing.size()));
  }
  return items;
}

// A project number is a JSON number, as GCE sends it; the config lets only digits through, so
// the string form is a fallback that never shows.
nlohmann::json project_number(const std::string& digits) {
  std::uint64_t n = 0;
  const auto* end = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(digits.data(), end, n);
  if (digits.empty() || ec != std::errc() || ptr != end) return digits;
  return n;
}

MetadataReply refuse(int status, std::string reason) {
  reason.push_back('\n');
  return MetadataReply{status, std::string(kText), std::move(reason)};
}

nlohmann::json account_info(const MetadataIdentity& identity) {
  return {
      {"aliases", {"default"}}, {"email", identity.account}, {"scopes", identity.scopes.items()}};
}

bool names_identity(std::string_view name, const MetadataIdentity& identity) {
  if (name == "default") return true;
  return ascii_iequals(name, identity.account);
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
  const auto text_value = [&](nlohmann::json v) { return render(v, call.alt, false); };
  switch (call.resource) {
    case Resource::listing:
      return text_value(lines_of(call.listing));
    case Resource::service_accounts:
      return text_value({"default/", identity.account + "/"});
    case Resource::service_accounts_info:
      // As GCE: each name of the account, with its info (Java's getAccount() reads this).
      return render(
          {{"default", account_info(identity)}, {identity.account, account_info(identity)}},
          call.alt, true);
    case Resource::project_listing: {
      auto entries = nlohmann::json::array();
      if (identity.numeric_project) entries.push_back("numeric-project-id");
      entries.push_back("project-id");
      return text_value(std::move(entries));
    }
    case Resource::project_id:
      if (!identity.project) {
        return refuse(404, "no project is configured: set default_project in config.toml");
      }
      return text_value(*identity.project);
    case Resource::numeric_project_id:
      if (!identity.numeric_project) {
        return refuse(404,
                      "no project number is configured: set [metadata] numeric_project_id (the "
                      "number of default_project) in config.toml");
      }
      return text_value(project_number(*identity.numeric_project));
    default:
      break;
  }
  if (!names_identity(call.service_account, identity)) {
    return refuse(404, fmt::format("unknown service account '{}'; this endpoint serves 'default'",
                                   call.service_account));
  }
  switch (call.resource) {
    case Resource::account_info:
      return render(account_info(identity), call.alt, true);
    case Resource::account_listing:
      return text_value({"aliases", "email", "scopes", "token"});
    case Resource::email:
      return text_value(identity.account);
    case Resource::scopes:
      return text_value(identity.scopes.items());
    case Resource::aliases:
      return text_value({"default"});
    case Resource::token:
      return token_call(call, identity);
    default:
      return refuse(404, "not found");
  }
}

std::optional<std::string> numeric_project_for(
    const std::optional<std::string>& project, const std::optional<std::string>& default_project,
    const std::optional<std::string>& configured_number) {
  if (!project || project != default_project) return std::nullopt;
  return configured_number;
}

MetadataReply token_reply(const Secret& access_token,
                          std::chrono::system_clock::time_point expires_at,
                          std::chrono::system_clock::time_point now, Alt alt) {
  const auto left = std::chrono::floor<std::chrono::seconds>(expires_at - now).count();
  return render(nlohmann::json{{"access_token", access_token.reveal()},
                               {"expires_in", std::max<std::int64_t>(0, left)},
                               {"token_type", "Bearer"}},
                alt, true);
}

std::string etag_of(std::string_view body) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data());
  std::string hex;
  for (std::size_t i = 0; i < 8; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

MetadataReply error_reply(const Error& error) {
  std::string body = error.message;
  if (!error.hint.empty()) body += fmt::format(" (hint: {})", error.hint);
  return refuse(http_status(error.code), std::move(body));
}

}  // namespace bqb::metadata
