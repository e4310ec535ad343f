#include "tests/support/log_check.h"

#include <fstream>
#include <sstream>

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "daemon/base/redact.h"
#include "tests/support/process.h"

namespace bqb::itest {

namespace {

/// A secret named in a failure message without revealing it.
std::string describe_secret(std::string_view s) {
  return "\"" + std::string(s.substr(0, 4)) + "…\" (" + std::to_string(s.size()) + " chars)";
}

}  // namespace

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

::testing::AssertionResult log_free_of(std::string_view log,
                                       const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.empty()) continue;
    if (auto at = log.find(s); at != std::string_view::npos) {
      return ::testing::AssertionFailure()
             << "the log contains the secret " << describe_secret(s) << " at offset " << at;
    }
  }
  std::size_t line_no = 0;
  std::string_view rest = log;
  while (!rest.empty()) {
    ++line_no;
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    std::string redacted = bqb::redact_token_shapes(line);
    if (redacted != line) {
      return ::testing::AssertionFailure()
             << "log line " << line_no << " holds something shaped like a secret: " << redacted;
    }
  }
  return ::testing::AssertionSuccess();
}

std::string find_line(std::string_view text, const std::vector<std::string>& needles) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    bool all = true;
    for (const auto& n : needles) all = all && line.find(n) != std::string_view::npos;
    if (all) return std::string(line);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return {};
}

::testing::AssertionResult wait_for_line(const std::filesystem::path& file,
                                         const std::vector<std::string>& needles,
                                         std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  int ifd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  bool watching = ifd >= 0 && ::inotify_add_watch(ifd, file.c_str(), IN_MODIFY) >= 0;
  std::string text;
  for (;;) {
    text = read_file(file);
    if (!find_line(text, needles).empty()) break;
    int left = remaining_ms(deadline);
    if (left == 0) {
      if (ifd >= 0) ::close(ifd);
      auto fail = ::testing::AssertionFailure() << "no line of " << file << " holds all of:";
      for (const auto& n : needles) fail << " [" << n << "]";
      return fail << " after " << timeout.count() << " ms; the file:\n" << text;
    }
    if (watching) {
      pollfd p{ifd, POLLIN, 0};
      if (::poll(&p, 1, left) > 0) {
        char buf[4096];
        while (::read(ifd, buf, sizeof buf) > 0) {
        }
      }
    } else {
      ::poll(nullptr, 0, std::min(left, 20));
    }
  }
  if (ifd >= 0) ::close(ifd);
  return ::testing::AssertionSuccess();
}

}  // namespace bqb::itest
