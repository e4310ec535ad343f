#include "client/cli/status_text.h"

#include "client/cli/duration_text.h"

namespace bqb::cli {
namespace {

using nlohmann::json;

constexpr std::string_view kScopePrefix = "https://www.googleapis.com/auth/";

void line(std::string& out, std::string_view indent, std::string_view label, std::string_view value,
          std::size_t width) {
  out.append(indent).append(label).append(":");
  out.append(width - label.size() + 1, ' ');
  out.append(value).append("\n");
}

/// @returns j[name] as a string, or "" when absent or not a string.
std::string string_field(const json& j, std::string_view name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string scopes_text(const json& account) {
  auto it = account.find("scopes");
  if (it == account.end() || !it->is_array()) return {};
  std::string out;
  for (const json& s : *it) {
    if (!s.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += short_scope(s.get<std::string>());
  }
  return out;
}

/// last_error is a message, or an error object like the API's envelope.
std::string last_error_text(const json& account) {
  auto it = account.find("last_error");
  if (it == account.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    std::string code = string_field(*it, "code");
    std::string message = string_field(*it, "message");
    if (code.empty()) return message;
    return message.empty() ? code : code + ": " + message;
  }
  return {};
}

void render_account(std::string& out, const json& account) {
  if (!account.is_object()) return;
  std::string email = string_field(account, "email");
  out += "  " + (email.empty() ? std::string("(account without email)") : email);
  if (auto it = account.find("default"); it != account.end() && it->is_boolean() && *it) {
    out += " (default)";
  }
  out += "\n";
  constexpr std::size_t kWidth = 13;  // "token expires"
  constexpr std::string_view kIndent = "    ";
  if (auto v = string_field(account, "state"); !v.empty()) line(out, kIndent, "state", v, kWidth);
  if (auto v = scopes_text(account); !v.empty()) line(out, kIndent, "scopes", v, kWidth);
  if (auto v = string_field(account, "token_expires_at"); !v.empty()) {
    line(out, kIndent, "token expires", v, kWidth);
  }
  if (auto v = last_error_text(account); !v.empty()) line(out, kIndent, "last error", v, kWidth);
}

}  // namespace

std::string short_scope(std::string_view scope) {
  if (scope.size() > kScopePrefix.size() && scope.substr(0, kScopePrefix.size()) == kScopePrefix) {
    scope.remove_prefix(kScopePrefix.size());
  }
  return std::string(scope);
}

std::string render_status(const api::StatusResponse& s) {
  constexpr std::size_t kWidth = 8;  // "accounts"
  std::string out;
  line(out, "", "daemon",
       "bqbrokerd " + s.version + ", pid " + std::to_string(s.pid) + ", up " +
           render_duration(s.uptime_seconds),
       kWidth);
  line(out, "", "socket", s.socket, kWidth);
  line(out, "", "store", s.store.empty() ? "(not reported)" : s.store, kWidth);
  if (s.accounts.empty()) {
    line(out, "", "accounts", "none", kWidth);
    return out;
  }
  line(out, "", "accounts", std::to_string(s.accounts.size()), kWidth);
  for (const json& a : s.accounts) render_account(out, a);
  return out;
}

}  // namespace bqb::cli
