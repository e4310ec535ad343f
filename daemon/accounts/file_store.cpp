#include "daemon/accounts/file_store.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/accounts/atomic_file.h"
#include "proto/json_fields.h"

namespace bqb {
namespace {

using nlohmann::json;
namespace jf = json_fields;

constexpr int kFileVersion = 1;

// Store errors are store_unavailable whatever their cause, so that callers handle one code; the
// message and hint of the underlying error are kept.
tl::unexpected<Error> unavailable(Error e) {
  return fail(Errc::store_unavailable, std::move(e.message), std::move(e.hint));
}

bool matches(const json& item, const SecretKey& key) {
  return item.is_object() && item.value("account", "") == key.account &&
         item.value("client_id", "") == key.client_id;
}

}  // namespace

FileStore::FileStore(std::filesystem::path file) : file_(std::move(file)) {}

namespace {

// @returns the items array of the store file, empty when the file does not exist. Never returns
// secret content in an error: the messages name fields and the path only.
Result<json> load_items(const std::filesystem::path& file) {
  auto text = read_file(file, FileAccess::private_only);
  if (!text) return unavailable(std::move(text).error());
  if (!*text) return json::array();
  const std::string where = file.string();
  auto doc = jf::parse(**text, where);
  auto not_ours = [&](std::string problem) {
    return fail(
        Errc::store_unavailable, where + " " + problem,
        fmt::format("move {} aside and log in again; its secrets cannot be read", file.string()));
  };
  if (!doc) return not_ours("is not valid JSON");
  if (!doc->is_object()) return not_ours("is not a JSON object");
  auto version = jf::required_int(*doc, "version", where);
  if (!version) return not_ours("has no valid 'version'");
  if (*version != kFileVersion) {
    return not_ours(fmt::format("has version {}, this bqbroker reads {}", *version, kFileVersion));
  }
  auto items = doc->find("items");
  if (items == doc->end() || !items->is_array()) return not_ours("has no 'items' list");
  return std::move(*items);
}

Status save_items(const std::filesystem::path& file, json items) {
  if (auto dir = ensure_private_dir(file.parent_path()); !dir) {
    return unavailable(std::move(dir).error());
  }
  json doc = {{"version", kFileVersion}, {"items", std::move(items)}};
  if (auto s = write_file_atomically(file, doc.dump(2) + "\n", 0600); !s) {
    return unavailable(std::move(s).error());
  }
  return {};
}

}  // namespace

Result<std::optional<Secret>> FileStore::get(const SecretKey& key) {
  std::lock_guard lock(mu_);
  BQB_TRY(items, load_items(file_));
  for (const auto& item : items) {
    if (!matches(item, key)) continue;
    auto it = item.find("secret");
    if (it == item.end() || !it->is_string()) {
      return fail(
          Errc::store_unavailable,
          fmt::format("the item for {} in {} has no 'secret' string", key.account, file_.string()),
          "log in again to replace it");
    }
    return std::optional<Secret>(Secret(it->get<std::string>()));
  }
  return std::optional<Secret>{};
}

Status FileStore::put(const SecretKey& key, const Secret& secret, std::string_view label) {
  std::lock_guard lock(mu_);
  BQB_TRY(items, load_items(file_));
  json item = {{"account", key.account},
               {"client_id", key.client_id},
               {"label", label},
               {"secret", secret.reveal()}};
  bool replaced = false;
  for (auto& existing : items) {
    if (matches(existing, key)) {
      existing = std::move(item);
      replaced = true;
      break;
    }
  }
  if (!replaced) items.push_back(std::move(item));
  return save_items(file_, std::move(items));
}

Status FileStore::remove(const SecretKey& key) {
  std::lock_guard lock(mu_);
  BQB_TRY(items, load_items(file_));
  const auto before = items.size();
  json kept = json::array();
  for (auto& item : items) {
    if (!matches(item, key)) kept.push_back(std::move(item));
  }
  if (kept.size() == before) return {};  // nothing to remove: no write
  return save_items(file_, std::move(kept));
}

}  // namespace bqb
