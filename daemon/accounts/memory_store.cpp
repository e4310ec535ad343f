#include "daemon/accounts/memory_store.h"

namespace bqb {

Result<std::optional<Secret>> MemoryStore::get(const SecretKey& key) {
  std::lock_guard lock(mu_);
  if (failure_) return tl::unexpected(*failure_);
  auto it = items_.find(key);
  if (it == items_.end()) return std::optional<Secret>{};
  return std::optional<Secret>(it->second.secret);
}

Status MemoryStore::put(const SecretKey& key, const Secret& secret, std::string_view label) {
  std::lock_guard lock(mu_);
  if (failure_) return tl::unexpected(*failure_);
  items_.insert_or_assign(key, Item{secret, std::string(label)});
  return {};
}

Status MemoryStore::remove(const SecretKey& key) {
  std::lock_guard lock(mu_);
  if (failure_) return tl::unexpected(*failure_);
  items_.erase(key);
  return {};
}

void MemoryStore::fail_with(std::optional<Error> error) {
  std::lock_guard lock(mu_);
  failure_ = std::move(error);
}

std::optional<std::string> MemoryStore::label(const SecretKey& key) const {
  std::lock_guard lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return std::nullopt;
  return it->second.label;
}

std::size_t MemoryStore::size() const {
  std::lock_guard lock(mu_);
  return items_.size();
}

}  // namespace bqb
