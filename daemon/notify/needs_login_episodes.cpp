#include "daemon/notify/needs_login_episodes.h"

namespace bqb {

void NeedsLoginEpisodes::needs_login(const std::string& email, Clock::time_point now) {
  episodes_.try_emplace(email, Episode{now, false});
}

void NeedsLoginEpisodes::left(const std::string& email) { episodes_.erase(email); }

std::vector<std::string> NeedsLoginEpisodes::due(Clock::time_point now) {
  std::vector<std::string> out;
  for (auto& [email, episode] : episodes_) {
    if (episode.reminded || now - episode.since < grace_) continue;
    episode.reminded = true;
    out.push_back(email);
  }
  return out;
}

std::optional<NeedsLoginEpisodes::Clock::time_point> NeedsLoginEpisodes::next_due() const {
  std::optional<Clock::time_point> next;
  for (const auto& [email, episode] : episodes_) {
    if (episode.reminded) continue;
    const auto at = episode.since + grace_;
    if (!next || at < *next) next = at;
  }
  return next;
}

}  // namespace bqb
