#pragma once
// The one temporary directory of the tests: made with mkdtemp under /tmp (short, so socket paths
// stay well under sun_path's 108 bytes), removed with its contents on destruction unless
// $BQBROKER_KEEP_TEST_DIRS is set. Header-only, so unit and integration tests share it.

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace bqb::testing {

class TempDir {
 public:
  /// Makes /tmp/PREFIX-XXXXXX (0700). Throws std::system_error when mkdtemp fails.
  explicit TempDir(std::string_view prefix = "bqb-test") {
    std::string pattern = "/tmp/" + std::string(prefix) + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (std::getenv("BQBROKER_KEEP_TEST_DIRS")) return;
    namespace fs = std::filesystem;
    // Tests tighten or loosen modes; make every directory removable again first. Symlinks are
    // not followed, so nothing outside the directory is touched.
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
      }
    }
    fs::remove_all(path_, ec);
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace bqb::testing
