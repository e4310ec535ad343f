#include "daemon/notify/login_reminder.h"

#include <optional>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "daemon/accounts/account_service.h"
#include "daemon/base/blocking.h"
#include "daemon/notify/desktop_notifier.h"

namespace bqb {

namespace asio = boost::asio;

namespace {

DesktopNotification reminder_for(const std::string& email, const std::string& reason) {
  DesktopNotification n;
  n.summary = fmt::format("bqbroker: {} needs a new login", email);
  n.body = fmt::format(
      "Google no longer accepts bqbroker's sign-in for {}{}, so programs using it get no "
      "tokens. Run: {}",
      email, reason.empty() ? "" : fmt::format(" ({})", reason), relogin_command(email));
  n.action_label = "Log in";
  return n;
}

/// Shows `n` from the BlockingPool and logs the outcome, once.
asio::awaitable<void> send(BlockingPool& blocking, std::string email, DesktopNotification n,
                           std::chrono::milliseconds timeout) {
  auto call = [n = std::move(n), timeout] { return send_desktop_notification(n, timeout); };
  auto sent = co_await blocking.run(std::move(call));
  if (sent) {
    spdlog::info("account {} needs a new login: desktop notification {} sent", email, *sent);
  } else {
    // A headless machine or a desktop without a notification server: the status and the token
    // errors still say it; no retry.
    spdlog::info("account {} needs a new login; no desktop notification ({})", email,
                 sent.error().message);
  }
}

}  // namespace

std::string relogin_command(const std::string& email) {
  return fmt::format("bqbroker login --login-hint {}", email);
}

LoginReminder::LoginReminder(asio::any_io_executor io, AccountService& accounts,
                             BlockingPool& blocking, LoginReminderOptions options)
    : io_(io),
      accounts_(accounts),
      blocking_(blocking),
      options_(options),
      episodes_(options.grace),
      timer_(io) {
  const auto now = NeedsLoginEpisodes::Clock::now();
  for (const Account& a : accounts_.list()) {
    if (a.state == AccountState::needs_login) episodes_.needs_login(a.email, now);
  }
  accounts_.on_needs_login([this](const std::string& email) {
    episodes_.needs_login(email, NeedsLoginEpisodes::Clock::now());
    arm();
  });
  accounts_.on_account_stored([this](const Account& a) {
    episodes_.left(a.email);
    arm();
  });
  accounts_.on_account_removed([this](const std::string& email) {
    episodes_.left(email);
    arm();
  });
  arm();
}

void LoginReminder::arm() {
  auto next = episodes_.next_due();
  if (!next) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(*next);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) remind_due();
  });
}

void LoginReminder::remind_due() {
  for (std::string& email : episodes_.due(NeedsLoginEpisodes::Clock::now())) {
    auto account = accounts_.find(email);
    const std::string reason = account ? account->state_reason : std::string();
    asio::co_spawn(io_, send(blocking_, email, reminder_for(email, reason), options_.bus_timeout),
                   asio::detached);
  }
  arm();
}

}  // namespace bqb
