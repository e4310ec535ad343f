#include "client/cli/query/query_spinner.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <thread>

#include "client/cli/query/query_cell.h"
#include "client/cli/query/query_text.h"

namespace bqb::cli {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Silent final : public Progress {
 public:
  void job(std::string) override {}
  void stop() override {}
};

class TerminalProgress final : public Progress {
 public:
  TerminalProgress(std::ostream& err, std::optional<std::size_t> width)
      : err_(err), width_(width), start_(Clock::now()) {
    thread_ = std::thread([this] { draw_loop(); });
  }
  ~TerminalProgress() override { stop(); }

  void job(std::string label) override {
    std::lock_guard lock(mu_);
    job_ = std::move(label);
  }

  void stop() override {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (drawn_) err_ << "\r\x1b[K" << std::flush;
  }

 private:
  void draw_loop() {
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, 200ms, [this] { return stopped_; })) return;
    for (std::size_t frame = 0;; ++frame) {
      const auto elapsed =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_);
      std::string line = progress_line(frame, elapsed, job_);
      // A line longer than the terminal would wrap, and "\r" could not erase it.
      if (width_ && *width_ > 1) line = fit_width(line, *width_ - 1);
      err_ << '\r' << line << "\x1b[K" << std::flush;
      drawn_ = true;
      if (wake_.wait_for(lock, 100ms, [this] { return stopped_; })) return;
    }
  }

  std::ostream& err_;
  const std::optional<std::size_t> width_;
  const Clock::time_point start_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopped_ = false;
  bool drawn_ = false;  // written by the thread, read by stop() after join
  std::string job_;
  std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace

std::unique_ptr<Progress> make_silent_progress() { return std::make_unique<Silent>(); }

std::unique_ptr<Progress> make_terminal_progress(std::ostream& err,
                                                 std::optional<std::size_t> width) {
  return std::make_unique<TerminalProgress>(err, width);
}

}  // namespace bqb::cli
