#pragma once
// Starting a coroutine that nobody awaits. asio::detached drops whatever the coroutine throws,
// silently; this logs it instead, so a bug in a background task shows up in the journal rather
// than as a task that quietly stopped. The message passes through sanitize_foreign_text: an
// exception's text may quote bytes that came from outside.

#include <exception>
#include <functional>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>

#include "daemon/base/foreign_text.h"

namespace bqb {

/// Runs `task` on `executor`; an exception escaping it is logged as an error naming `what`,
/// then `on_failure` (if any) is called, e.g. to fail the operation the task was doing.
template <class Executor>
void spawn_logged(const Executor& executor, boost::asio::awaitable<void> task, std::string what,
                  std::function<void()> on_failure = {}) {
  boost::asio::co_spawn(
      executor, std::move(task),
      [what = std::move(what), on_failure = std::move(on_failure)](
          const std::exception_ptr& failure) {
        if (!failure) return;
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& e) {
          spdlog::error("{} failed: {}", what, sanitize_foreign_text(e.what()));
        } catch (...) {
          spdlog::error("{} failed with an unknown exception", what);
        }
        if (on_failure) on_failure();
      });
}

}  // namespace bqb
