#include "daemon/base/systemd.h"

#include <cstdlib>
#include <string>

#include <fmt/format.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

namespace bqb::systemd {

Result<std::optional<int>> take_listen_fd() {
  char** names = nullptr;
  int n = sd_listen_fds_with_names(/*unset_environment=*/1, &names);
  if (n < 0) {
    return fail(Errc::io_error, fmt::format("cannot read the sockets systemd passed: {}", -n));
  }
  std::optional<int> chosen;
  for (int i = 0; i < n; ++i) {
    int fd = SD_LISTEN_FDS_START + i;
    std::string name = names != nullptr && names[i] != nullptr ? names[i] : "";
    if (!chosen || name == "bqbroker") chosen = fd;
  }
  if (names != nullptr) {
    for (int i = 0; i < n; ++i) std::free(names[i]);
    std::free(names);
  }
  if (chosen && sd_is_socket_unix(*chosen, SOCK_STREAM, /*listening=*/1, nullptr, 0) <= 0) {
    return fail(Errc::io_error, "the socket systemd passed is not a listening Unix stream socket",
                "bqbroker.socket must use ListenStream= with a path");
  }
  return chosen;
}

void notify_ready(std::string_view status) {
  sd_notify(0, fmt::format("READY=1\nSTATUS={}", status).c_str());
}

void notify_stopping(std::string_view status) {
  sd_notify(0, fmt::format("STOPPING=1\nSTATUS={}", status).c_str());
}

}  // namespace bqb::systemd
