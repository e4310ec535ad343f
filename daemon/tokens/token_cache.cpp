#include "daemon/tokens/token_cache.h"

#include <algorithm>

namespace bqb {

using std::chrono::system_clock;

CacheDecision decide(const CachedToken* entry, system_clock::time_point now,
                     std::chrono::seconds margin, std::chrono::seconds min_valid) {
  if (entry == nullptr) return CacheDecision::refresh_now;
  const auto left = entry->expires_at - now;
  if (left <= system_clock::duration::zero() || left < min_valid) {
    return CacheDecision::refresh_now;
  }
  const auto halfway = entry->issued_at + (entry->expires_at - entry->issued_at) / 2;
  const auto refresh_from = std::max(entry->expires_at - margin, halfway);
  return now >= refresh_from ? CacheDecision::hand_out_and_refresh : CacheDecision::hand_out;
}

TokenCache::TokenCache(std::chrono::seconds refresh_margin, WallClock now)
    : margin_(refresh_margin),
      now_(now ? std::move(now) : WallClock([] { return system_clock::now(); })) {}

TokenCache::Lookup TokenCache::lookup(const TokenKey& key, std::chrono::seconds min_valid) const {
  auto it = entries_.find(key);
  const CachedToken* entry = it == entries_.end() ? nullptr : &it->second;
  const auto now = now_();
  Lookup out;
  out.decision = decide(entry, now, margin_, min_valid);
  if (entry != nullptr && entry->expires_at > now) out.token = *entry;
  return out;
}

void TokenCache::store(const TokenKey& key, CachedToken token) {
  entries_.insert_or_assign(key, std::move(token));
}

void TokenCache::drop_account(std::string_view account) {
  std::erase_if(entries_, [account](const auto& kv) { return kv.first.account == account; });
}

std::optional<system_clock::time_point> TokenCache::latest_expiry(std::string_view account) const {
  std::optional<system_clock::time_point> latest;
  for (const auto& [key, token] : entries_) {
    if (key.account != account) continue;
    if (!latest || token.expires_at > *latest) latest = token.expires_at;
  }
  return latest;
}

}  // namespace bqb
