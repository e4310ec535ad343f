#pragma once
// Runs blocking calls (SecretStore operations, which may wait on D-Bus or an unlock prompt; file
// writes with fsync) off the daemon's single io thread, on a small thread pool, and resumes the
// awaiting coroutine on its own executor. The io thread keeps serving other requests meanwhile.

#include <cstddef>
#include <exception>
#include <type_traits>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace bqb {

class BlockingPool {
 public:
  /// Starts `threads` worker threads (at least one).
  explicit BlockingPool(std::size_t threads = 2);
  /// Waits for running calls to finish; calls not yet started are dropped.
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  /// Runs `f()` on a worker thread. The awaiting coroutine resumes on its own executor with f's
  /// result (or f's exception rethrown); that executor is kept busy meanwhile, so its run() does
  /// not return early. `f` must be safe to call from another thread and must not touch
  /// io-thread-only state. Its result type must be default-constructible.
  template <class F>
  auto run(F f) -> boost::asio::awaitable<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    // No lambdas or other temporaries inside the co_await expression: g++ 12 destroys such
    // temporaries twice when the coroutine suspends there.
    auto initiation = [pool = pool_.get_executor()](auto handler, F task) {
      post_task(pool, std::move(handler), std::move(task));
    };
    if constexpr (std::is_void_v<R>) {
      auto op = boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                            void(std::exception_ptr)>(
          std::move(initiation), boost::asio::use_awaitable, std::move(f));
      co_await std::move(op);
    } else {
      auto op = boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                            void(std::exception_ptr, R)>(
          std::move(initiation), boost::asio::use_awaitable, std::move(f));
      R result = co_await std::move(op);
      co_return result;
    }
  }

  /// Stops taking new work and waits for running calls (for an orderly shutdown).
  void join();

 private:
  // Runs `task` on `pool`, then calls `handler` with its outcome through the handler's own
  // executor, holding work on that executor until then.
  template <class Handler, class F>
  static void post_task(boost::asio::thread_pool::executor_type pool, Handler handler, F task) {
    auto work = boost::asio::make_work_guard(handler);
    boost::asio::post(pool, [handler = std::move(handler), work = std::move(work),
                             task = std::move(task)]() mutable {
      using R = std::invoke_result_t<F&>;
      std::exception_ptr error;
      if constexpr (std::is_void_v<R>) {
        try {
          task();
        } catch (...) {
          error = std::current_exception();
        }
        auto ex = work.get_executor();
        boost::asio::dispatch(
            ex, [handler = std::move(handler), error]() mutable { std::move(handler)(error); });
      } else {
        R result{};
        try {
          result = task();
        } catch (...) {
          error = std::current_exception();
        }
        auto ex = work.get_executor();
        boost::asio::dispatch(
            ex, [handler = std::move(handler), error, result = std::move(result)]() mutable {
              std::move(handler)(error, std::move(result));
            });
      }
      work.reset();
    });
  }

  boost::asio::thread_pool pool_;
};

}  // namespace bqb
