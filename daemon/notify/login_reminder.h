#pragma once
// The reminder before work breaks: when an account has been in needs_login for the grace period,
// one desktop notification names it and the command that repairs it. One per episode
// (needs_login_episodes.h): not again until the account has left needs_login and entered it anew.
// A desktop without a session bus or a notification server is no error: one info line per
// episode, no retry. The D-Bus call runs on the BlockingPool, bounded by a timeout.

#include <chrono>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/notify/needs_login_episodes.h"

namespace bqb {

class AccountService;
class BlockingPool;

struct LoginReminderOptions {
  /// `[notifications] grace_seconds`: how long an account stays in needs_login before a reminder.
  std::chrono::seconds grace{300};
  /// Bound on each D-Bus call (capabilities, then the notification).
  std::chrono::milliseconds bus_timeout{std::chrono::seconds(5)};
};

/// @returns the command that logs `email` in again, as the notification shows it.
std::string relogin_command(const std::string& email);

class LoginReminder {
 public:
  /// Registers with `accounts` (construct it before serving requests) and starts the episodes of
  /// the accounts already in needs_login now. All of it runs on `io`, the daemon's io thread;
  /// `accounts` and `blocking` must outlive the reminder.
  LoginReminder(boost::asio::any_io_executor io, AccountService& accounts, BlockingPool& blocking,
                LoginReminderOptions options);
  LoginReminder(const LoginReminder&) = delete;
  LoginReminder& operator=(const LoginReminder&) = delete;

 private:
  /// Sends the reminders due now, then sets the timer for the next one.
  void remind_due();
  void arm();

  boost::asio::any_io_executor io_;
  AccountService& accounts_;
  BlockingPool& blocking_;
  LoginReminderOptions options_;
  NeedsLoginEpisodes episodes_;
  boost::asio::steady_timer timer_;
};

}  // namespace bqb
