#pragma once
// Starting a coroutine that nobody awaits, for the fakes' server. asio::detached drops whatever
// the coroutine throws, silently; this reports it instead, so that a bug in the fake shows up in
// its log rather than as a connection that quietly went away. (The daemon's own equivalent,
// daemon/base/spawn_logged.h, logs through spdlog; the fakes do not link the daemon.)

#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>

namespace bqb::fakes {

/// Receives one line naming a failure nobody else would see.
using ErrorLog = std::function<void(const std::string& line)>;

/// @returns the line reporting `failure` of the task named `what`.
inline std::string failure_line(const std::string& what, const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return what + " failed: " + e.what();
  } catch (...) {
    return what + " failed with an unknown exception";
  }
}

/// Runs `task` on `executor`; an exception escaping it is reported to `log` (to stderr when
/// `log` is empty) as one line naming `what`.
template <class Executor>
void spawn_logged(const Executor& executor, boost::asio::awaitable<void> task, std::string what,
                  ErrorLog log) {
  boost::asio::co_spawn(
      executor, std::move(task),
      [what = std::move(what), log = std::move(log)](const std::exception_ptr& failure) {
        if (!failure) return;
        const std::string line = failure_line(what, failure);
        if (log) {
          log(line);
        } else {
          std::fprintf(stderr, "%s\n", line.c_str());
        }
      });
}

}  // namespace bqb::fakes
