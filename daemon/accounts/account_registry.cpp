#include "daemon/accounts/account_registry.h"

#include <fmt/format.h>

#include "daemon/accounts/atomic_file.h"
#include "proto/json_fields.h"

namespace bqb {
namespace {

namespace fs = std::filesystem;

// @returns a name beside `file` for keeping a corrupt copy, not yet taken:
// accounts.json.corrupt-20240501T120000Z, then …Z-2, …Z-3 within the same second.
fs::path corrupt_name(const fs::path& file, std::chrono::sys_seconds now) {
  std::string stamp = format_utc(now);  // 2024-05-01T12:00:00Z → 20240501T120000Z
  std::erase(stamp, '-');
  std::erase(stamp, ':');
  const std::string base = file.string() + ".corrupt-" + stamp;
  fs::path candidate = base;
  std::error_code ec;
  for (int i = 2; fs::exists(candidate, ec); ++i) candidate = base + "-" + std::to_string(i);
  return candidate;
}

Status write_book(const fs::path& file, const AccountBook& book) {
  return write_file_atomically(file, to_json(book).dump(2) + "\n", 0600);
}

}  // namespace

AccountRegistry::AccountRegistry(fs::path file, AccountBook book,
                                 std::optional<RegistryRecovery> recovery)
    : file_(std::move(file)), book_(std::move(book)), recovery_(std::move(recovery)) {}

Result<std::unique_ptr<AccountRegistry>> AccountRegistry::open(const fs::path& state_dir,
                                                               std::chrono::sys_seconds now) {
  if (auto dir = ensure_private_dir(state_dir); !dir) return tl::unexpected(dir.error());
  const fs::path file = state_dir / kAccountsFileName;
  BQB_TRY(text, read_file(file));
  auto make = [&](AccountBook book, std::optional<RegistryRecovery> recovery) {
    return std::unique_ptr<AccountRegistry>(
        new AccountRegistry(file, std::move(book), std::move(recovery)));
  };
  if (!text) return make(AccountBook{}, std::nullopt);

  const std::string where = file.string();
  auto doc = json_fields::parse(*text, where);
  Result<ParsedAccountBook> parsed =
      doc ? account_book_from_json(*doc, where) : tl::unexpected(doc.error());
  if (!parsed && doc && doc->is_object() && doc->contains("version") &&
      json_fields::required_int(*doc, "version", where).value_or(0) > kAccountsFileVersion) {
    // A newer bqbroker's file is not corrupt: leave it alone and refuse to run on it.
    return tl::unexpected(parsed.error());
  }
  if (parsed && parsed->skipped.empty()) return make(std::move(parsed->book), std::nullopt);

  // Something could not be read. Keep the file as it is under another name before anything can
  // overwrite it. When no record at all was read, the file is moved; otherwise it is copied and
  // the readable accounts stay in use.
  RegistryRecovery recovery;
  recovery.kept_as = corrupt_name(file, now);
  AccountBook book;
  if (parsed) {
    recovery.problems = std::move(parsed->skipped);
    book = std::move(parsed->book);
    if (auto kept = write_file_atomically(recovery.kept_as, *text, 0600); !kept) {
      return tl::unexpected(kept.error());
    }
  } else {
    recovery.problems.push_back(parsed.error().message);
    std::error_code ec;
    fs::rename(file, recovery.kept_as, ec);
    if (ec) {
      return fail(Errc::io_error,
                  fmt::format("{} cannot be read ({}) and cannot be moved aside to {}: {}", where,
                              parsed.error().message, recovery.kept_as.string(), ec.message()),
                  "fix or move the file by hand; it may hold accounts you want to keep");
    }
  }
  return make(std::move(book), std::move(recovery));
}

std::vector<Account> AccountRegistry::list() const {
  std::lock_guard lock(mu_);
  return book_.accounts;
}

std::optional<std::string> AccountRegistry::default_email() const {
  std::lock_guard lock(mu_);
  return book_.default_email;
}

std::optional<Account> AccountRegistry::find(std::string_view email) const {
  std::lock_guard lock(mu_);
  const Account* a = find_account(book_, email);
  return a ? std::optional<Account>(*a) : std::nullopt;
}

Status AccountRegistry::commit(AccountBook next) {
  if (auto s = write_book(file_, next); !s) return s;
  book_ = std::move(next);
  return {};
}

Result<std::optional<Account>> AccountRegistry::upsert(Account account) {
  std::lock_guard lock(mu_);
  AccountBook next = book_;
  auto previous = upsert_account(next, std::move(account));
  if (auto s = commit(std::move(next)); !s) return tl::unexpected(s.error());
  return previous;
}

Result<std::optional<Account>> AccountRegistry::remove(std::string_view email) {
  std::lock_guard lock(mu_);
  AccountBook next = book_;
  auto removed = remove_account(next, email);
  if (!removed) return std::optional<Account>{};
  if (auto s = commit(std::move(next)); !s) return tl::unexpected(s.error());
  return removed;
}

Status AccountRegistry::set_default(std::string_view email) {
  std::lock_guard lock(mu_);
  AccountBook next = book_;
  if (auto s = set_default_account(next, email); !s) return s;
  return commit(std::move(next));
}

Status AccountRegistry::set_state(std::string_view email, AccountState state, std::string reason,
                                  std::chrono::sys_seconds since) {
  std::lock_guard lock(mu_);
  AccountBook next = book_;
  Account* a = nullptr;
  for (auto& candidate : next.accounts) {
    if (candidate.email == email) a = &candidate;
  }
  if (a == nullptr) {
    return fail(Errc::not_found, fmt::format("no account {} is logged in", email),
                "`bqbroker accounts` lists the accounts");
  }
  if (state == AccountState::ok) {
    a->state_reason.clear();
    a->state_since.reset();
  } else {
    if (a->state != AccountState::needs_login || !a->state_since) a->state_since = since;
    a->state_reason = std::move(reason);
  }
  a->state = state;
  return commit(std::move(next));
}

}  // namespace bqb
