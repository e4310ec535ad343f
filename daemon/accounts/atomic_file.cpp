#include "daemon/accounts/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "proto/read_to_end.h"
#include "proto/unique_fd.h"

namespace bqb {
namespace {

namespace fs = std::filesystem;

// The daemon's state files (the accounts list, the file store) hold a few KiB; the cap keeps a
// huge file put in their place from filling the daemon's memory.
constexpr std::size_t kMaxStateFileBytes = 16 * 1024 * 1024;

std::string errno_text(int err) { return std::strerror(err); }

tl::unexpected<Error> io_fail(std::string_view what, const fs::path& path, int err) {
  return fail(Errc::io_error, fmt::format("{} {}: {}", what, path.string(), errno_text(err)));
}

Status make_one_private_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return {};
  if (errno != EEXIST) return io_fail("cannot create directory", dir, errno);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return io_fail("cannot inspect", dir, errno);
  if (!S_ISDIR(st.st_mode)) {
    return fail(Errc::io_error, fmt::format("{} exists and is not a directory", dir.string()));
  }
  return {};
}

}  // namespace

Status ensure_private_dir(const fs::path& dir) {
  if (dir.empty()) return fail(Errc::io_error, "empty directory path");
  // Create missing components one by one with 0700 (the XDG base directory rule for directories
  // we create), leaving existing parents as they are.
  fs::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (partial == partial.root_path()) continue;
    if (auto s = make_one_private_dir(partial); !s) return s;
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return io_fail("cannot inspect", dir, errno);
  if (st.st_uid != ::geteuid()) {
    return fail(Errc::io_error,
                fmt::format("{} is owned by uid {}, not by this user (uid {})", dir.string(),
                            st.st_uid, ::geteuid()),
                "it must be this user's own directory; fix its owner or choose another state dir");
  }
  if ((st.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0) {
    return io_fail("cannot set mode 0700 on", dir, errno);
  }
  return {};
}

Status write_file_atomically(const fs::path& target, std::string_view content, mode_t mode) {
  std::string tmp_name = target.string() + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemp(tmp_name.data(), O_CLOEXEC));  // created 0600, so never readable by others
  if (fd.get() < 0) return io_fail("cannot create a temporary file beside", target, errno);
  const fs::path tmp(tmp_name);
  auto fail_and_unlink = [&](std::string_view what, int err) {
    ::unlink(tmp.c_str());
    return io_fail(what, tmp, err);
  };
  if (::fchmod(fd.get(), mode) != 0) return fail_and_unlink("cannot set the mode of", errno);
  for (std::size_t done = 0; done < content.size();) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_and_unlink("cannot write", errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail_and_unlink("cannot fsync", errno);
  if (int err = fd.close(); err != 0) return fail_and_unlink("cannot close", err);
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_fail("cannot rename a temporary file to", target, err);
  }
  // The rename is durable only once the directory entry is on disk.
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) return io_fail("cannot fsync", dir, errno);
  return {};
}

Result<std::optional<std::string>> read_file(const fs::path& path, FileAccess access) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    if (errno == ELOOP) {
      return fail(Errc::io_error,
                  fmt::format("{} is a symbolic link; refusing to follow it", path.string()),
                  "replace the link with the file itself");
    }
    return io_fail("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_fail("cannot inspect", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return fail(Errc::io_error, fmt::format("{} is not a regular file", path.string()));
  }
  if (access == FileAccess::private_only) {
    if (st.st_uid != ::geteuid()) {
      return fail(
          Errc::io_error,
          fmt::format("{} is owned by uid {}, not by this user (uid {}); refusing to read it",
                      path.string(), st.st_uid, ::geteuid()),
          fmt::format("it must be your own file: chown it, or remove it and log in again"));
    }
    if ((st.st_mode & 077) != 0) {
      return fail(Errc::io_error,
                  fmt::format("{} has mode {:04o}, readable or writable by other users; refusing "
                              "to read it",
                              path.string(), st.st_mode & 07777),
                  fmt::format("run `chmod 600 {}` (and consider the secrets in it exposed: log "
                              "out and in again)",
                              path.string()));
    }
  }
  auto content = read_to_end(fd.get(), kMaxStateFileBytes);
  if (!content && content.error().too_large) {
    return fail(Errc::io_error,
                fmt::format("{} is larger than {} bytes; refusing to read it", path.string(),
                            kMaxStateFileBytes),
                "it is not a file bqbroker wrote: move it away");
  }
  if (!content) return io_fail("cannot read", path, content.error().error);
  return std::optional<std::string>(std::move(*content));
}

}  // namespace bqb
