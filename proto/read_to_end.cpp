#include "proto/read_to_end.h"

#include <unistd.h>

#include <cerrno>

namespace bqb {

tl::expected<std::string, ReadStop> read_to_end(int fd, std::size_t max_bytes) {
  std::string text;
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(ReadStop{errno, false});
    if (n == 0) return text;
    text.append(chunk, static_cast<std::size_t>(n));
    if (text.size() > max_bytes) return tl::unexpected(ReadStop{0, true});
  }
}

}  // namespace bqb
