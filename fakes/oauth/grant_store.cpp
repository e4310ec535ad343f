#include "fakes/oauth/grant_store.h"

#include "fakes/oauth/crypto.h"

namespace bqb::fakes {
namespace {

std::int64_t unix_seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string GrantStore::add_code(AuthorizationCode c) {
  std::string code = "4/0fake-" + random_urlsafe(24);
  codes_.emplace(code, std::move(c));
  return code;
}

AuthorizationCode* GrantStore::find_code(std::string_view code) {
  auto it = codes_.find(code);
  return it == codes_.end() ? nullptr : &it->second;
}

std::string GrantStore::issue_refresh(std::string client_id, std::string email, ScopeList scopes,
                                      Clock::time_point now) {
  std::string token = "1//fake-" + random_urlsafe(32);
  refresh_.emplace(token, RefreshGrant{std::move(client_id), std::move(email), std::move(scopes),
                                       now, false, false});
  refresh_order_.push_back(token);
  return token;
}

RefreshGrant* GrantStore::find_refresh(std::string_view token) {
  auto it = refresh_.find(token);
  return it == refresh_.end() ? nullptr : &it->second;
}

bool GrantStore::has_live_grant(std::string_view client_id, std::string_view email) const {
  for (const auto& [token, g] : refresh_) {
    if (g.client_id == client_id && g.email == email && !g.revoked && !g.expired) return true;
  }
  return false;
}

std::string GrantStore::issue_access(AccessGrant grant) {
  std::string token = "ya29.fake-" + random_urlsafe(32);
  access_.emplace(token, std::move(grant));
  access_order_.push_back(token);
  return token;
}

const AccessGrant* GrantStore::find_access(std::string_view token) const {
  auto it = access_.find(token);
  return it == access_.end() ? nullptr : &it->second;
}

void GrantStore::revoke_access_of(std::string_view refresh_token) {
  for (auto& [token, a] : access_) {
    if (a.refresh_token == refresh_token) a.revoked = true;
  }
}

bool GrantStore::revoke(std::string_view token) {
  if (auto* g = find_refresh(token)) {
    if (g->revoked) return false;
    g->revoked = true;
    revoke_access_of(token);
    return true;
  }
  auto it = access_.find(token);
  if (it == access_.end() || it->second.revoked) return false;
  it->second.revoked = true;
  if (!it->second.refresh_token.empty()) {
    const std::string parent = it->second.refresh_token;
    if (auto* g = find_refresh(parent)) g->revoked = true;
    revoke_access_of(parent);
  }
  return true;
}

bool GrantStore::selects(const GrantSelector& s, const std::string& token,
                         const RefreshGrant& g) const {
  return (!s.token || *s.token == token) && (!s.email || *s.email == g.email) &&
         (!s.client_id || *s.client_id == g.client_id);
}

int GrantStore::revoke_where(const GrantSelector& s) {
  int n = 0;
  for (auto& [token, g] : refresh_) {
    if (!g.revoked && selects(s, token, g)) {
      g.revoked = true;
      revoke_access_of(token);
      ++n;
    }
  }
  return n;
}

int GrantStore::expire_refresh_where(const GrantSelector& s) {
  int n = 0;
  for (auto& [token, g] : refresh_) {
    if (!g.expired && selects(s, token, g)) {
      g.expired = true;
      ++n;
    }
  }
  return n;
}

int GrantStore::expire_access_where(const GrantSelector& s, Clock::time_point now) {
  int n = 0;
  for (auto& [token, a] : access_) {
    const RefreshGrant* g = find_refresh(a.refresh_token);
    const bool match = g != nullptr ? selects(s, a.refresh_token, *g)
                                    : (!s.token && (!s.email || *s.email == a.email) &&
                                       (!s.client_id || *s.client_id == a.client_id));
    if (match && a.expires_at > now) {
      a.expires_at = now;
      ++n;
    }
  }
  return n;
}

nlohmann::json GrantStore::to_json(Clock::time_point now) const {
  nlohmann::json refresh = nlohmann::json::array();
  for (const auto& token : refresh_order_) {
    const RefreshGrant& g = refresh_.at(token);
    refresh.push_back({{"refresh_token", token},
                       {"client_id", g.client_id},
                       {"email", g.email},
                       {"scope", join_scopes(g.scopes)},
                       {"issued_at", unix_seconds(g.issued_at)},
                       {"revoked", g.revoked},
                       {"expired", g.expired}});
  }
  nlohmann::json access = nlohmann::json::array();
  for (const auto& token : access_order_) {
    const AccessGrant& a = access_.at(token);
    access.push_back({{"access_token", token},
                      {"client_id", a.client_id},
                      {"email", a.email},
                      {"scope", join_scopes(a.scopes)},
                      {"grant_type", a.grant_type},
                      {"expires_at", unix_seconds(a.expires_at)},
                      {"live", !a.revoked && a.expires_at > now},
                      {"revoked", a.revoked}});
  }
  return {{"refresh_tokens", refresh}, {"access_tokens", access}};
}

}  // namespace bqb::fakes
