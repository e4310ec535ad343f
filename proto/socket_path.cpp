#include "proto/socket_path.h"

#include <cstdlib>

#include <unistd.h>

namespace bqb {
namespace {

bool set(const std::optional<std::string>& v) { return v && !v->empty(); }

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace

std::filesystem::path resolve_socket_path(const SocketPathInputs& in) {
  if (set(in.flag)) return *in.flag;
  if (set(in.env_socket)) return *in.env_socket;
  if (set(in.xdg_runtime_dir)) {
    return std::filesystem::path(*in.xdg_runtime_dir) / "bqbroker" / "bqbroker.sock";
  }
  return std::filesystem::path("/tmp") / ("bqbroker-" + std::to_string(in.uid)) / "bqbroker.sock";
}

SocketPathInputs socket_path_inputs_from_env(std::optional<std::string> flag) {
  return SocketPathInputs{std::move(flag), env("BQBROKER_SOCKET"), env("XDG_RUNTIME_DIR"),
                          ::getuid()};
}

}  // namespace bqb
