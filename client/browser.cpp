#include "client/browser.h"

#include <fcntl.h>
#include <spawn.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

extern char** environ;

namespace bqb::cli {
namespace {

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

}  // namespace

std::vector<std::string> browser_command(std::string_view url,
                                         std::optional<std::string_view> browser_env) {
  std::string_view entry = browser_env.value_or("");
  entry = entry.substr(0, entry.find(':'));
  std::vector<std::string> argv;
  std::istringstream words{std::string(entry)};
  bool substituted = false;
  for (std::string word; words >> word;) {
    for (auto pos = word.find("%s"); pos != std::string::npos; pos = word.find("%s", pos)) {
      word.replace(pos, 2, url);
      pos += url.size();
      substituted = true;
    }
    argv.push_back(std::move(word));
  }
  if (argv.empty()) argv.push_back("xdg-open");
  if (!substituted) argv.emplace_back(url);
  return argv;
}

bool display_available() { return env_set("DISPLAY") || env_set("WAYLAND_DISPLAY"); }

Status open_browser(std::string_view url) {
  const char* env = std::getenv("BROWSER");
  std::vector<std::string> argv =
      browser_command(url, env ? std::optional<std::string_view>(env) : std::nullopt);
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return fail(Errc::io_error, "cannot start the browser '" + argv[0] + "': " + std::strerror(rc),
                "set $BROWSER, or use --no-browser");
  }
  // Not waited for: the browser (or xdg-open) may outlive this command. If it exits first, it
  // stays a zombie only until bqbroker exits.
  return {};
}

}  // namespace bqb::cli
