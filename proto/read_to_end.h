#pragma once
// Reading a file descriptor to its end, with a cap: the one read loop behind the trusted files,
// the daemon's own state files and the SQL a user pipes into `bqbroker query`.

#include <cstddef>
#include <string>

#include <tl/expected.hpp>

namespace bqb {

/// Why read_to_end stopped without the whole content.
struct ReadStop {
  int error = 0;           // errno of the failed read(2); 0 when the cap stopped it
  bool too_large = false;  // more than max_bytes were there
};

/// @returns every byte of `fd` up to its end (read(2) until 0; EINTR retried), or why not: a
/// failed read, or more than `max_bytes` bytes (it stops reading as soon as it knows).
tl::expected<std::string, ReadStop> read_to_end(int fd, std::size_t max_bytes);

}  // namespace bqb
