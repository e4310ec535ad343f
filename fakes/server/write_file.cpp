#include "fakes/server/write_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace bqb::fakes {

Status write_file_atomically(const std::string& path, std::string_view content, mode_t mode) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto os_error = [&](std::string_view what, const std::string& p) {
    return fail(Errc::io_error,
                "cannot " + std::string(what) + " " + p + ": " + std::strerror(errno));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return os_error("create", tmp);
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto e = os_error("write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    auto e = os_error("write", tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = os_error("rename a file to", path);
    ::unlink(tmp.c_str());
    return e;
  }
  return {};
}

Status write_startup_files(const Client& client, std::string_view base_url,
                           const std::string& client_secrets_out, const std::string& port_file,
                           std::uint16_t port) {
  if (!client_secrets_out.empty()) {
    auto st = write_file_atomically(client_secrets_out,
                                    client_secrets_json(client, base_url).dump(2) + "\n", 0600);
    if (!st) return st;
  }
  if (port_file.empty()) return {};
  return write_file_atomically(port_file, std::to_string(port) + "\n", 0644);
}

}  // namespace bqb::fakes
