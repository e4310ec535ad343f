#include "daemon/accounts/account.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <span>
#include <utility>

#include "proto/json_fields.h"

namespace bqb {
namespace {

using nlohmann::json;
namespace jf = json_fields;

constexpr int kCredentialsVersion = 1;

// Keys that name secrets. Never kept as unknown fields, so a hand-edited or foreign accounts.json
// with a token in it loses the token on our next write instead of carrying it along forever.
constexpr std::array<std::string_view, 6> kSecretFieldNames{
    "refresh_token", "client_secret", "access_token", "id_token", "code", "code_verifier"};

bool is_secret_field(std::string_view name) {
  return std::find(kSecretFieldNames.begin(), kSecretFieldNames.end(), name) !=
         kSecretFieldNames.end();
}

// @returns the members of `j` not listed in `known`, without secret-named ones.
json unknown_fields(const json& j, std::span<const std::string_view> known) {
  json out = json::object();
  for (const auto& [name, value] : j.items()) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    if (is_secret_field(name)) continue;
    out[name] = value;
  }
  return out;
}

constexpr std::array<std::string_view, 10> kAccountFields{
    "email",  "client_id", "token_uri", "auth_uri",     "project_id",
    "scopes", "added_at",  "state",     "state_reason", "state_since"};
constexpr std::array<std::string_view, 3> kBookFields{"version", "default", "accounts"};

Result<std::chrono::sys_seconds> required_time(const json& j, std::string_view name,
                                               std::string_view where) {
  BQB_TRY(text, jf::required_string(j, name, where));
  auto t = parse_utc(text);
  if (!t) {
    return fail(Errc::invalid_json, "field '" + std::string(name) + "' in " + std::string(where) +
                                        " must be a UTC time like 2024-05-01T12:00:00Z");
  }
  return *t;
}

}  // namespace

// --- The secret record ---------------------------------------------------------------------------

Secret to_secret(const StoredCredentials& credentials) {
  json j = {{"version", kCredentialsVersion},
            {"refresh_token", credentials.refresh_token.reveal()},
            {"client_secret", credentials.client_secret.reveal()}};
  return Secret(j.dump());
}

Result<StoredCredentials> stored_credentials_from_secret(const Secret& secret,
                                                         std::string_view where) {
  BQB_TRY(j, jf::parse(secret.reveal(), where));
  if (!j.is_object()) return fail(Errc::invalid_json, std::string(where) + " is not a JSON object");
  BQB_TRY(version, jf::required_int(j, "version", where));
  if (version != kCredentialsVersion) {
    return fail(Errc::invalid_json,
                std::string(where) + " has version " + std::to_string(version) +
                    ", this bqbroker reads version 1",
                "it was written by another bqbroker version; log in again");
  }
  BQB_TRY(refresh_token, jf::required_string(j, "refresh_token", where));
  if (refresh_token.empty()) {
    return fail(Errc::invalid_json, "field 'refresh_token' in " + std::string(where) + " is empty");
  }
  BQB_TRY(client_secret, jf::optional_string(j, "client_secret", where));
  return StoredCredentials{Secret(std::move(refresh_token)),
                           Secret(client_secret.value_or(std::string()))};
}

std::string credentials_label(std::string_view email) {
  return "bqbroker: BigQuery credentials for " + std::string(email);
}

// --- Account metadata ----------------------------------------------------------------------------

std::string_view to_string(AccountState state) {
  return state == AccountState::ok ? "ok" : "needs_login";
}

const Account* find_account(const AccountBook& book, std::string_view email) {
  auto it = std::find_if(book.accounts.begin(), book.accounts.end(),
                         [&](const Account& a) { return a.email == email; });
  return it == book.accounts.end() ? nullptr : &*it;
}

std::optional<Account> upsert_account(AccountBook& book, Account account) {
  if (!book.default_email) book.default_email = account.email;
  for (auto& existing : book.accounts) {
    if (existing.email == account.email) {
      return std::exchange(existing, std::move(account));
    }
  }
  book.accounts.push_back(std::move(account));
  return std::nullopt;
}

std::optional<Account> remove_account(AccountBook& book, std::string_view email) {
  auto it = std::find_if(book.accounts.begin(), book.accounts.end(),
                         [&](const Account& a) { return a.email == email; });
  if (it == book.accounts.end()) return std::nullopt;
  Account removed = std::move(*it);
  book.accounts.erase(it);
  if (book.default_email == email) {
    book.default_email =
        book.accounts.empty() ? std::nullopt : std::optional(book.accounts.front().email);
  }
  return removed;
}

Status set_default_account(AccountBook& book, std::string_view email) {
  if (find_account(book, email) == nullptr) {
    return fail(Errc::not_found, "no account " + std::string(email) + " is logged in",
                "`bqbroker accounts` lists the accounts; `bqbroker login` adds one");
  }
  book.default_email = std::string(email);
  return {};
}

json to_json(const Account& a) {
  json j = a.extra.is_object() ? a.extra : json::object();
  j["email"] = a.email;
  j["client_id"] = a.client_id;
  j["token_uri"] = a.token_uri;
  if (a.auth_uri) j["auth_uri"] = *a.auth_uri;
  if (a.project_id) j["project_id"] = *a.project_id;
  j["scopes"] = a.scopes;
  j["added_at"] = format_utc(a.added_at);
  j["state"] = to_string(a.state);
  if (!a.state_reason.empty()) j["state_reason"] = a.state_reason;
  if (a.state_since) j["state_since"] = format_utc(*a.state_since);
  return j;
}

Result<Account> account_from_json(const json& j, std::string_view where) {
  if (!j.is_object()) return fail(Errc::invalid_json, std::string(where) + " is not a JSON object");
  Account a;
  BQB_TRY(email, jf::required_string(j, "email", where));
  if (email.empty()) {
    return fail(Errc::invalid_json, "field 'email' in " + std::string(where) + " is empty");
  }
  a.email = std::move(email);
  const std::string in = std::string(where) + " (account " + a.email + ")";
  BQB_TRY(client_id, jf::required_string(j, "client_id", in));
  BQB_TRY(token_uri, jf::required_string(j, "token_uri", in));
  BQB_TRY(auth_uri, jf::optional_string(j, "auth_uri", in));
  BQB_TRY(project_id, jf::optional_string(j, "project_id", in));
  BQB_TRY(scopes, jf::optional_string_list(j, "scopes", in));
  BQB_TRY(added_at, required_time(j, "added_at", in));
  BQB_TRY(state, jf::optional_string(j, "state", in));
  BQB_TRY(reason, jf::optional_string(j, "state_reason", in));
  a.client_id = std::move(client_id);
  a.token_uri = std::move(token_uri);
  a.auth_uri = std::move(auth_uri);
  a.project_id = std::move(project_id);
  a.scopes = std::move(scopes);
  a.added_at = added_at;
  a.state_reason = reason.value_or(std::string());
  if (!state || *state == "ok") {
    a.state = AccountState::ok;
  } else {
    // needs_login, or a state a newer version invented: asking for a login is the safe reading.
    a.state = AccountState::needs_login;
    if (*state != "needs_login" && a.state_reason.empty()) {
      a.state_reason = "unknown state '" + *state + "' in " + std::string(where);
    }
  }
  if (j.contains("state_since") && !j["state_since"].is_null()) {
    BQB_TRY(since, required_time(j, "state_since", in));
    a.state_since = since;
  }
  a.extra = unknown_fields(j, kAccountFields);
  return a;
}

json to_json(const AccountBook& book) {
  json j = book.extra.is_object() ? book.extra : json::object();
  j["version"] = kAccountsFileVersion;
  j["default"] = book.default_email ? json(*book.default_email) : json(nullptr);
  json accounts = json::array();
  for (const auto& a : book.accounts) accounts.push_back(to_json(a));
  j["accounts"] = std::move(accounts);
  return j;
}

Result<ParsedAccountBook> account_book_from_json(const json& j, std::string_view where) {
  if (!j.is_object()) return fail(Errc::invalid_json, std::string(where) + " is not a JSON object");
  BQB_TRY(version, jf::required_int(j, "version", where));
  if (version > kAccountsFileVersion) {
    return fail(Errc::invalid_json,
                std::string(where) + " has version " + std::to_string(version) +
                    ", newer than this bqbroker understands (" +
                    std::to_string(kAccountsFileVersion) + ")",
                "run the bqbroker version that wrote it, or upgrade");
  }
  BQB_TRY(default_email, jf::optional_string(j, "default", where));
  auto accounts_it = j.find("accounts");
  if (accounts_it == j.end() || !accounts_it->is_array()) {
    return fail(Errc::invalid_json,
                "field 'accounts' in " + std::string(where) + " is missing or not a list");
  }
  ParsedAccountBook out;
  for (std::size_t i = 0; i < accounts_it->size(); ++i) {
    const std::string entry = std::string(where) + " accounts[" + std::to_string(i) + "]";
    auto account = account_from_json((*accounts_it)[i], entry);
    if (!account) {
      out.skipped.push_back(account.error().message);
      continue;
    }
    if (find_account(out.book, account->email) != nullptr) {
      out.skipped.push_back(entry + " repeats account " + account->email);
      continue;
    }
    out.book.accounts.push_back(std::move(*account));
  }
  if (default_email && find_account(out.book, *default_email) != nullptr) {
    out.book.default_email = std::move(default_email);
  } else if (!out.book.accounts.empty()) {
    out.book.default_email = out.book.accounts.front().email;
  }
  out.book.extra = unknown_fields(j, kBookFields);
  return out;
}

std::string format_utc(std::chrono::sys_seconds t) {
  const std::time_t tt = t.time_since_epoch().count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<std::chrono::sys_seconds> parse_utc(std::string_view text) {
  if (text.size() != 20) return std::nullopt;
  const std::string s(text);
  std::tm tm{};
  char z = 0;
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &consumed) != 7 ||
      z != 'Z' || consumed != 20) {
    return std::nullopt;
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::chrono::sys_seconds t(std::chrono::seconds(timegm(&tm)));
  // timegm normalises 2024-02-31 to March: only a date that reads back the same is real.
  if (format_utc(t) != text) return std::nullopt;
  return t;
}

}  // namespace bqb
