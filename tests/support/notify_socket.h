#pragma once
// The receiving end of sd_notify: an AF_UNIX datagram socket whose path goes into the child's
// $NOTIFY_SOCKET, so a test learns that the daemon is ready (READY=1) or stopping (STOPPING=1)
// from the daemon itself instead of guessing with sleeps.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace bqb::itest {

class NotifySocket {
 public:
  /// Binds a datagram socket at `path`. Throws std::runtime_error on failure.
  explicit NotifySocket(std::filesystem::path path);
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  ~NotifySocket();

  const std::filesystem::path& path() const { return path_; }
  /// Readable when a datagram is waiting; for poll().
  int fd() const { return fd_; }
  /// Reads every waiting datagram without blocking, splitting each into its lines.
  void drain();
  /// @returns true when some datagram received so far had `line` (e.g. "READY=1") as a line.
  bool received(std::string_view line) const;
  /// Every line received so far, in order.
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> lines_;
};

}  // namespace bqb::itest
