#include "client/cli/browser.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

#include "proto/spawn.h"

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
  SpawnOptions options;
  options.argv = browser_command(url, env ? std::optional<std::string_view>(env) : std::nullopt);
  options.std_in = options.std_out = options.std_err = StdStream::dev_null();
  int err = 0;
  if (!spawn_process(options, &err)) {
    return fail(Errc::io_error,
                "cannot start the browser '" + options.argv[0] + "': " + std::strerror(err),
                "set $BROWSER, or use --no-browser");
  }
  // Not waited for: the browser (or xdg-open) may outlive this command. If it exits first, it
  // stays a zombie only until bqbroker exits.
  return {};
}

}  // namespace bqb::cli
