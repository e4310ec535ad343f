#include "daemon/base/config_file.h"

#include <string>
#include <system_error>

#include <fmt/format.h>

#include "proto/trusted_file.h"

namespace bqb {
namespace {

std::string origin_note(const ConfigLocation& where) {
  return fmt::format("(from {})", to_string(where.origin));
}

}  // namespace

Result<LoadedConfig> load_config_file(const ConfigLocation& where) {
  std::error_code ec;
  std::filesystem::path path = std::filesystem::absolute(where.path, ec);
  if (ec) path = where.path;
  path = path.lexically_normal();

  auto text = read_trusted_file(
      path, fmt::format("the configuration file {} {}", path.string(), origin_note(where)),
      kMaxConfigFileBytes);
  if (!text && text.error().code == Errc::not_found) {
    if (where.is_explicit()) {
      return fail(Errc::config_invalid,
                  fmt::format("the configuration file {} {} does not exist", path.string(),
                              origin_note(where)),
                  "create it, or drop the setting to use the default location");
    }
    return LoadedConfig{Config{}, path, false};
  }
  if (!text) return tl::unexpected(std::move(text).error());
  BQB_TRY(config, parse_config(*text, path.string()));
  return LoadedConfig{std::move(config), path, true};
}

}  // namespace bqb
