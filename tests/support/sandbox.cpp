#include "tests/support/sandbox.h"

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

#include <unistd.h>

namespace bqb::itest {

namespace fs = std::filesystem;

Sandbox::Sandbox() {
  for (const auto& d : {runtime_dir(), config_home(), state_home(), home()}) {
    fs::create_directory(d);
    fs::permissions(d, fs::perms::owner_all, fs::perm_options::replace);
  }
}

Environment Sandbox::env() const {
  Environment env = Environment::minimal();
  env.set("HOME", home().string())
      .set("XDG_RUNTIME_DIR", runtime_dir().string())
      .set("XDG_CONFIG_HOME", config_home().string())
      .set("XDG_STATE_HOME", state_home().string());
  return env;
}

void Sandbox::give_to(const TestUser& user) {
  auto hand_over = [&](const fs::path& p) {
    if (::lchown(p.c_str(), user.uid, user.gid) != 0) {
      throw std::system_error(errno, std::generic_category(), "lchown " + p.string());
    }
  };
  hand_over(root());
  for (const auto& entry : fs::recursive_directory_iterator(root())) hand_over(entry.path());
}

fs::path Sandbox::unique_path(std::string_view stem, std::string_view ext) {
  return root() / (std::string(stem) + "-" + std::to_string(++counter_) + std::string(ext));
}

}  // namespace bqb::itest
