#pragma once
// When to remind the user of an account that needs a new login. An episode starts when an account
// enters needs_login and ends when it leaves it (a new login, or a logout); the reminder is due
// once per episode, `grace` after its start, so that a refusal repaired within the grace period
// (a blip, a login already under way) never reminds anyone. Pure: fed the state changes and the
// time, it answers which accounts to remind now; the caller sends the reminders and sets a timer
// for next_due().

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bqb {

class NeedsLoginEpisodes {
 public:
  using Clock = std::chrono::steady_clock;

  explicit NeedsLoginEpisodes(std::chrono::seconds grace) : grace_(grace) {}

  /// Records that `email` is in needs_login at `now`. An episode already open keeps its start
  /// (a second refusal of the same account is the same episode).
  void needs_login(const std::string& email, Clock::time_point now);
  /// Records that `email` left needs_login (logged in again, or logged out): its episode ends,
  /// and a later needs_login starts a new one.
  void left(const std::string& email);

  /// @returns the accounts whose episode had lasted `grace` at `now` and was not reminded yet,
  /// in email order; each account at most once per episode (a returned one counts as reminded).
  std::vector<std::string> due(Clock::time_point now);
  /// @returns when the earliest episode not yet reminded becomes due; nullopt when none waits.
  std::optional<Clock::time_point> next_due() const;

 private:
  struct Episode {
    Clock::time_point since;
    bool reminded = false;
  };
  std::chrono::seconds grace_;
  std::map<std::string, Episode> episodes_;
};

}  // namespace bqb
