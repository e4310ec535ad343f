#include "tests/support/planted_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string_view>

#include "tests/support/binaries.h"

namespace bqb::itest {
namespace {

bool says_listening(const std::string& text) { return text.starts_with("listening\n"); }

/// Takes the next "\n"-terminated line off `text`; nullopt when no complete line is there.
std::optional<std::string_view> next_line(std::string_view& text) {
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  const auto line = text.substr(0, nl);
  text.remove_prefix(nl + 1);
  return line;
}

/// @returns the report in the recorder's complete output "listening\nconnections N\nbytes M\n"
/// followed by M bytes; nullopt while it is incomplete.
std::optional<Recording> parse_report(std::string_view text) {
  const auto listening = next_line(text);
  const auto connections = next_line(text);
  const auto bytes = next_line(text);
  if (!listening || !connections || !bytes || *listening != "listening" ||
      !connections->starts_with("connections ") || !bytes->starts_with("bytes ")) {
    return std::nullopt;
  }
  const std::size_t size = std::stoul(std::string(bytes->substr(6)));
  if (text.size() != size) return std::nullopt;
  return Recording{std::stoi(std::string(connections->substr(12))), std::string(text)};
}

bool has_report(const std::string& text) { return parse_report(text).has_value(); }

}  // namespace

PlantedListener::PlantedListener(const TestUser& user, std::filesystem::path socket)
    : socket_(std::move(socket)) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2 failed");
  }
  child_.emplace(as_user(user, {socket_recorder_binary(), socket_.string()}),
                 Environment::minimal(), in[0], out[1], out[1]);
  ::close(in[0]);
  ::close(out[1]);
  stdin_ = in[1];
  stdout_ = out[0];
}

PlantedListener::~PlantedListener() {
  if (stdin_ >= 0) ::close(stdin_);
  ::close(stdout_);
}

bool PlantedListener::read_until(Clock::time_point deadline, bool (*done)(const std::string&)) {
  while (!done(out_)) {
    pollfd p{stdout_, POLLIN, 0};
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // the deadline passed
    char buf[4096];
    ssize_t got = ::read(stdout_, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return done(out_);  // EOF: the recorder is gone
    out_.append(buf, static_cast<std::size_t>(got));
  }
  return true;
}

::testing::AssertionResult PlantedListener::wait_listening(std::chrono::milliseconds timeout) {
  if (read_until(Clock::now() + timeout, says_listening)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "the planted listener on " << socket_.string() << " did not start within "
         << timeout.count() << " ms; it said:\n"
         << out_;
}

::testing::AssertionResult PlantedListener::finish(Recording& out,
                                                   std::chrono::milliseconds timeout) {
  ::close(stdin_);
  stdin_ = -1;
  const auto deadline = Clock::now() + timeout;
  if (!read_until(deadline, has_report)) {
    return ::testing::AssertionFailure()
           << "the planted listener on " << socket_.string() << " gave no report; it said:\n"
           << out_;
  }
  out = *parse_report(out_);
  const ExitStatus st = child_->wait(std::chrono::milliseconds(remaining_ms(deadline)));
  if (!st.success()) {
    return ::testing::AssertionFailure() << "the planted listener " << st;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace bqb::itest
