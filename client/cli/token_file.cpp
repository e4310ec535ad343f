#include "client/cli/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "proto/private_path.h"

namespace bqb::cli {
namespace {

std::string errno_text() { return std::strerror(errno); }

/// @returns true when `dir` is a directory (not a symlink) of this user with no group or other
/// access, as the XDG Base Directory spec promises for $XDG_RUNTIME_DIR.
bool private_directory(const std::filesystem::path& dir) {
  if (!dir.is_absolute()) return false;
  auto facts = inspect_path(dir);
  return facts && *facts &&
         !path_flaw(**facts, PathRule{PathType::directory, ::geteuid(), kAnyAccessByOthers});
}

/// Writes all of `data` to `fd`. @returns false with errno set on failure.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool random_suffix(std::string_view s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
         });
}

}  // namespace

bool is_token_file_name(std::string_view name) {
  constexpr std::string_view kPrefix = "bqbroker-exec-";
  constexpr std::string_view kSuffix = ".token";
  if (!name.starts_with(kPrefix)) return false;
  name.remove_prefix(kPrefix.size());
  if (!random_suffix(name.substr(0, 6))) return false;
  name.remove_prefix(std::min<std::size_t>(6, name.size()));
  if (!name.starts_with(kSuffix)) return false;
  name.remove_prefix(kSuffix.size());
  return name.empty() || (name.size() == 7 && name[0] == '.' && random_suffix(name.substr(1)));
}

void remove_leftover_token_files(const std::filesystem::path& dir,
                                 std::chrono::system_clock::time_point now) {
  std::error_code ec;
  const auto limit =
      std::chrono::duration_cast<std::chrono::seconds>((now - kLeftoverAge).time_since_epoch())
          .count();
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!is_token_file_name(name)) continue;
    struct stat st {};
    // lstat: a symlink named like a token file is not followed, and not removed either.
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != ::geteuid() || st.st_mtime >= limit) {
      continue;
    }
    ::unlink(entry.path().c_str());
  }
}

Result<TokenFile> TokenFile::create(const std::optional<std::filesystem::path>& runtime_dir) {
  std::optional<std::filesystem::path> private_dir;
  std::filesystem::path dir;
  if (runtime_dir && private_directory(*runtime_dir)) {
    dir = *runtime_dir;
    remove_leftover_token_files(dir, std::chrono::system_clock::now());
  } else {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp") + "/bqbroker-exec-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return fail(
          Errc::io_error,
          "cannot create a private directory for the token file (" + pattern + "): " + errno_text(),
          "set XDG_RUNTIME_DIR or TMPDIR to a writable directory");
    }
    dir = pattern;
    private_dir = dir;
  }
  std::string name = (dir / "bqbroker-exec-XXXXXX.token").string();
  int fd = ::mkostemps(name.data(), 6, O_CLOEXEC);  // 0600, O_EXCL
  if (fd < 0) {
    std::string message = "cannot create the token file in " + dir.string() + ": " + errno_text();
    if (private_dir) ::rmdir(private_dir->c_str());
    return fail(Errc::io_error, std::move(message));
  }
  ::close(fd);
  return TokenFile(name, std::move(private_dir));
}

TokenFile::TokenFile(TokenFile&& other) noexcept
    : path_(std::move(other.path_)),
      private_dir_(std::move(other.private_dir_)),
      removed_(other.removed_) {
  other.removed_ = true;
}

TokenFile::~TokenFile() { remove(); }

Status TokenFile::write(const Secret& token) {
  std::string temp = path_.string() + ".XXXXXX";
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // 0600, O_EXCL: no one else can have it open
  if (fd < 0) {
    return fail(Errc::io_error, "cannot create a temporary token file beside " + path_.string() +
                                    ": " + errno_text());
  }
  bool written = write_all(fd, token.reveal());
  int saved = errno;
  if (::close(fd) != 0 && written) {
    written = false;
    saved = errno;
  }
  if (!written || ::rename(temp.c_str(), path_.c_str()) != 0) {
    if (written) saved = errno;
    ::unlink(temp.c_str());
    return fail(Errc::io_error,
                "cannot write the token file " + path_.string() + ": " + std::strerror(saved));
  }
  return {};
}

void TokenFile::remove() {
  if (removed_) return;
  removed_ = true;
  ::unlink(path_.c_str());
  if (private_dir_) ::rmdir(private_dir_->c_str());
}

}  // namespace bqb::cli
