#include "daemon/base/config_file.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/base/unique_fd.h"

namespace bqb {
namespace {

std::string origin_note(const ConfigLocation& where) {
  return fmt::format("(from {})", to_string(where.origin));
}

tl::unexpected<Error> io_failure(const ConfigLocation& where, const std::filesystem::path& path,
                                 std::string_view what, int err) {
  return fail(Errc::io_error,
              fmt::format("cannot {} the configuration file {} {}: {}", what, path.string(),
                          origin_note(where), std::strerror(err)),
              "check the file's path and permissions");
}

/// @returns the file's content, or nullopt when it does not exist.
Result<std::optional<std::string>> read_small_file(const ConfigLocation& where,
                                                   const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO by mistake must not hang the daemon's start.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    return io_failure(where, path, "open", errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_failure(where, path, "inspect", errno);
  if (!S_ISREG(st.st_mode)) {
    return fail(Errc::io_error,
                fmt::format("the configuration file {} {} is not a regular file", path.string(),
                            origin_note(where)),
                "point --config or $BQBROKER_CONFIG at a TOML file");
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxConfigFileBytes) {
    return fail(Errc::io_error,
                fmt::format("the configuration file {} {} is {} bytes, over the limit of {}",
                            path.string(), origin_note(where), st.st_size, kMaxConfigFileBytes),
                "check that the path names bqbroker's config.toml");
  }
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_failure(where, path, "read", errno);
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxConfigFileBytes) {  // the file grew after fstat
      return fail(Errc::io_error,
                  fmt::format("the configuration file {} {} is over the limit of {} bytes",
                              path.string(), origin_note(where), kMaxConfigFileBytes));
    }
  }
  return text;
}

}  // namespace

Result<LoadedConfig> load_config_file(const ConfigLocation& where) {
  std::error_code ec;
  std::filesystem::path path = std::filesystem::absolute(where.path, ec);
  if (ec) path = where.path;
  path = path.lexically_normal();

  BQB_TRY(text, read_small_file(where, path));
  if (!text) {
    if (where.is_explicit()) {
      return fail(Errc::config_invalid,
                  fmt::format("the configuration file {} {} does not exist", path.string(),
                              origin_note(where)),
                  "create it, or drop the setting to use the default location");
    }
    return LoadedConfig{Config{}, path, false};
  }
  BQB_TRY(config, parse_config(*text, path.string()));
  return LoadedConfig{std::move(config), path, true};
}

}  // namespace bqb
