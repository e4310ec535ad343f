#include "daemon/accounts/libsecret_store.h"

#include <libsecret/secret.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace bqb {
namespace {

constexpr std::string_view kUnreachableHint =
    "start a Secret Service in your session (log in to a desktop, or run `gnome-keyring-daemon "
    "--start --components=secrets`), or set store = \"file\" in config.toml to keep secrets in a "
    "0600 file instead";
constexpr std::string_view kLockedHint =
    "unlock your keyring (for example in Seahorse, \"Passwords and Keys\") and try again";

const SecretSchema* schema() {
  static const SecretSchema s = [] {
    SecretSchema v{};  // zeroes the reserved fields and ends the attribute list
    v.name = kSecretSchemaName.data();
    v.flags = SECRET_SCHEMA_NONE;
    v.attributes[0] = {"account", SECRET_SCHEMA_ATTRIBUTE_STRING};
    v.attributes[1] = {"client_id", SECRET_SCHEMA_ATTRIBUTE_STRING};
    return v;
  }();
  return &s;
}

// Owning handles for GLib objects, so no early return leaks one.
struct GErrorFree {
  void operator()(GError* e) const { g_error_free(e); }
};
using ErrorPtr = std::unique_ptr<GError, GErrorFree>;
struct HashUnref {
  void operator()(GHashTable* h) const { g_hash_table_unref(h); }
};
using AttributesPtr = std::unique_ptr<GHashTable, HashUnref>;
struct ItemListFree {
  void operator()(GList* l) const { g_list_free_full(l, g_object_unref); }
};
using ItemListPtr = std::unique_ptr<GList, ItemListFree>;
struct ValueUnref {
  void operator()(SecretValue* v) const { secret_value_unref(v); }
};
using ValuePtr = std::unique_ptr<SecretValue, ValueUnref>;

AttributesPtr attributes(const SecretKey& key) {
  return AttributesPtr(secret_attributes_build(schema(), "account", key.account.c_str(),
                                               "client_id", key.client_id.c_str(), nullptr));
}

// Cancels a libsecret call that has not finished within the timeout (a prompt nobody answers, a
// service that never replies), from a watchdog thread; g_cancellable_cancel is thread-safe.
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds timeout)
      : cancellable_(g_cancellable_new()), watchdog_([this, timeout] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, timeout, [this] { return done_; })) {
            fired_ = true;
            g_cancellable_cancel(cancellable_);
          }
        }) {}
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  ~Deadline() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_one();
    watchdog_.join();
    g_object_unref(cancellable_);
  }

  GCancellable* cancellable() const { return cancellable_; }
  bool fired() const { return fired_; }

 private:
  GCancellable* cancellable_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> fired_ = false;
  std::thread watchdog_;  // last: starts after the members it uses exist
};

// @returns the store_unavailable Error for a libsecret failure while doing `what`.
tl::unexpected<Error> from_gerror(const GError* e, std::string_view what, const SecretKey& key,
                                  const Deadline& deadline, std::chrono::milliseconds timeout) {
  const std::string context =
      fmt::format("cannot {} the credentials of {} in the Secret Service", what, key.account);
  if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    if (deadline.fired()) {
      return fail(
          Errc::store_unavailable,
          fmt::format("{}: no answer within {} s (an unlock prompt nobody answered?)", context,
                      std::chrono::duration_cast<std::chrono::seconds>(timeout).count()),
          std::string(kLockedHint));
    }
    return fail(Errc::store_unavailable, context + ": the unlock prompt was dismissed",
                std::string(kLockedHint));
  }
  if (g_error_matches(e, SECRET_ERROR, SECRET_ERROR_IS_LOCKED)) {
    return fail(Errc::store_unavailable, fmt::format("{}: the keyring is locked", context),
                std::string(kLockedHint));
  }
  return fail(Errc::store_unavailable,
              fmt::format("{}: {}", context, e->message != nullptr ? e->message : "unknown error"),
              std::string(kUnreachableHint));
}

tl::unexpected<Error> locked(std::string_view what, const SecretKey& key) {
  return fail(Errc::store_unavailable,
              fmt::format("cannot {} the credentials of {}: their keyring item is locked", what,
                          key.account),
              std::string(kLockedHint));
}

// Runs `call(deadline, &error)` (a libsecret call) once more, on a new connection, when it failed
// for a reason other than a locked keyring or its own deadline: libsecret caches one connection
// and session to the Secret Service per process, and when the service is restarted (gnome-keyring
// gone and back) every call on the cached one fails ("The session wrapping the secret does not
// exist") until it is dropped. @returns the last call's result; `error` holds its error.
template <class Call>
auto with_reconnect(Call call, const Deadline& deadline, ErrorPtr& error) {
  GError* raw = nullptr;
  auto result = call(&raw);
  error.reset(raw);
  const bool stale_connection = error && !deadline.fired() &&
                                !g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
                                !g_error_matches(error.get(), SECRET_ERROR, SECRET_ERROR_IS_LOCKED);
  if (stale_connection) {
    secret_service_disconnect();
    raw = nullptr;
    result = call(&raw);
    error.reset(raw);
  }
  return result;
}

// @returns the items with `key`'s attributes, locked ones included. `flags` may ask to unlock
// them (prompting) and to load their secrets.
Result<ItemListPtr> search(const SecretKey& key, SecretSearchFlags flags, std::string_view what,
                           std::chrono::milliseconds timeout) {
  Deadline deadline(timeout);
  auto attrs = attributes(key);
  ErrorPtr error;
  ItemListPtr items(with_reconnect(
      [&](GError** raw) {
        return secret_service_search_sync(nullptr, schema(), attrs.get(), flags,
                                          deadline.cancellable(), raw);
      },
      deadline, error));
  if (error) return from_gerror(error.get(), what, key, deadline, timeout);
  return items;
}

}  // namespace

LibsecretStore::LibsecretStore() : LibsecretStore(Options{}) {}
LibsecretStore::LibsecretStore(Options options) : options_(options) {}

Result<std::optional<Secret>> LibsecretStore::get(const SecretKey& key) {
  // The search API rather than secret_password_lookup_sync: the latter answers "nothing" when the
  // unlock prompt is dismissed, which would look like a missing token and ask for a new login.
  BQB_TRY(
      items,
      search(key, static_cast<SecretSearchFlags>(SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS),
             "read", options_.timeout));
  if (!items) return std::optional<Secret>{};
  auto* item = static_cast<SecretItem*>(items->data);
  if (secret_item_get_locked(item)) return locked("read", key);
  ValuePtr value(secret_item_get_secret(item));
  if (!value) {
    return fail(
        Errc::store_unavailable,
        fmt::format("the Secret Service returned no secret for {}'s keyring item", key.account),
        std::string(kLockedHint));
  }
  gsize length = 0;
  const gchar* data = secret_value_get(value.get(), &length);
  return std::optional<Secret>(Secret(std::string(data, length)));
}

Status LibsecretStore::put(const SecretKey& key, const Secret& secret, std::string_view label) {
  Deadline deadline(options_.timeout);
  const std::string label_text(label);
  ErrorPtr error;
  const gboolean stored = with_reconnect(
      [&](GError** raw) {
        return secret_password_store_sync(schema(), SECRET_COLLECTION_DEFAULT, label_text.c_str(),
                                          secret.reveal().c_str(), deadline.cancellable(), raw,
                                          "account", key.account.c_str(), "client_id",
                                          key.client_id.c_str(), nullptr);
      },
      deadline, error);
  if (error) return from_gerror(error.get(), "store", key, deadline, options_.timeout);
  if (!stored) return locked("store", key);
  return {};
}

Status LibsecretStore::remove(const SecretKey& key) {
  {
    Deadline deadline(options_.timeout);
    ErrorPtr error;
    // FALSE without an error means "nothing deleted": absent, or locked and the prompt dismissed.
    with_reconnect(
        [&](GError** raw) {
          return secret_password_clear_sync(schema(), deadline.cancellable(), raw, "account",
                                            key.account.c_str(), "client_id", key.client_id.c_str(),
                                            nullptr);
        },
        deadline, error);
    if (error) return from_gerror(error.get(), "delete", key, deadline, options_.timeout);
  }
  // Tell the two apart: an item still there was not deleted.
  BQB_TRY(left, search(key, SECRET_SEARCH_NONE, "delete", options_.timeout));
  if (left) return locked("delete", key);
  return {};
}

}  // namespace bqb
