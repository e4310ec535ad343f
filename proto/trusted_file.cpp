#include "proto/trusted_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "proto/byte_size.h"
#include "proto/private_path.h"
#include "proto/read_to_end.h"
#include "proto/unique_fd.h"

namespace bqb {
namespace {

tl::unexpected<Error> errno_failure(std::string_view verb, std::string_view what, int err) {
  return fail(err == ENOENT ? Errc::not_found : Errc::io_error,
              std::string("cannot ").append(verb).append(" ").append(what).append(": ") +
                  std::strerror(err),
              "check the file's path and permissions");
}

tl::unexpected<Error> too_large(std::string_view what, std::size_t max_bytes) {
  return fail(Errc::payload_too_large,
              std::string(what) + " is larger than the limit of " +
                  byte_size_text(static_cast<std::int64_t>(max_bytes)),
              "check that the path names the right file");
}

std::string fix_hint(PathFlaw flaw, const std::filesystem::path& path) {
  if (flaw == PathFlaw::foreign_owner) {
    return "use a file of your own (cp it, then chmod go-w " + path.string() + ")";
  }
  return "chmod go-w " + path.string();
}

}  // namespace

Result<std::string> read_trusted_file(const std::filesystem::path& path, std::string_view what,
                                      std::size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return errno_failure("open", what, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_failure("inspect", what, errno);
  if (!S_ISREG(st.st_mode)) {
    return fail(Errc::io_error, std::string(what) + " is not a regular file",
                "name the file itself");
  }
  const PathRule rule{PathType::file, ::geteuid(), kWritableByOthers, /*root_may_own=*/true};
  const PathFacts facts{st.st_mode, st.st_uid};
  if (auto flaw = path_flaw(facts, rule)) {
    return fail(Errc::forbidden,
                std::string(what) + " is refused: " + flaw_text(*flaw, facts, rule) +
                    " (another user could change what bqbroker trusts)",
                fix_hint(*flaw, path));
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) return too_large(what, max_bytes);
  auto text = read_to_end(fd.get(), max_bytes);
  if (!text && text.error().too_large) return too_large(what, max_bytes);  // it grew after fstat
  if (!text) return errno_failure("read", what, text.error().error);
  return std::move(*text);
}

}  // namespace bqb
