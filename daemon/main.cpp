// bqbrokerd: wiring only. Reads flags and configuration, takes the state lock and the socket,
// registers the API's routes, and runs one io_context until SIGTERM/SIGINT.

#include <csignal>
#include <cstdio>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bqbroker_version.h"
#include "daemon/core/paths.h"
#include "daemon/io/api_status.h"
#include "daemon/io/config_file.h"
#include "daemon/io/http_server.h"
#include "daemon/io/listener.h"
#include "daemon/io/logging.h"
#include "daemon/io/rlimit.h"
#include "daemon/io/state_lock.h"
#include "daemon/io/systemd.h"
#include "proto/socket_path.h"

namespace {

struct Flags {
  std::optional<std::string> socket;
  std::optional<std::string> config;
  std::optional<std::string> log_level;
};

int startup_failed(const bqb::Error& e) {
  std::fprintf(stderr, "bqbrokerd: %s\n", e.message.c_str());
  if (!e.hint.empty()) std::fprintf(stderr, "hint: %s\n", e.hint.c_str());
  return 1;
}

int run(const Flags& flags) {
  std::signal(SIGPIPE, SIG_IGN);
  const auto started = std::chrono::steady_clock::now();

  auto env = bqb::path_env_from_environment();
  auto location = bqb::resolve_config_path(env, flags.config);
  if (!location) return startup_failed(location.error());
  auto loaded = bqb::load_config_file(*location);
  if (!loaded) return startup_failed(loaded.error());
  const bqb::Config& config = loaded->config;

  if (auto s = bqb::init_logging(flags.log_level.value_or(config.log_level)); !s) {
    return startup_failed(s.error());
  }
  auto state_dir = bqb::resolve_state_dir(env);
  if (!state_dir) return startup_failed(state_dir.error());
  auto lock = bqb::StateLock::acquire(*state_dir);
  if (!lock) return startup_failed(lock.error());

  boost::asio::io_context io(1);
  auto socket_path = bqb::resolve_socket_path(bqb::socket_path_inputs_from_env(flags.socket));
  auto listener = bqb::open_listener(io, socket_path);
  if (!listener) return startup_failed(listener.error());
  auto nofile = bqb::raise_open_file_limit();

  bqb::http::Router router;
  bqb::StatusInfo status_info{listener->path, std::string(bqb::to_string(config.store)), started};
  bqb::add_status_routes(router, status_info);

  bqb::http::ServerOptions options;
  options.request_timeout = config.server.request_timeout;
  options.max_connections = config.server.max_connections;
  bqb::http::HttpServer server(std::move(listener->acceptor), router, options);
  server.start();

  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  boost::asio::steady_timer grace(io);
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("received {}: finishing {} connection(s), then exiting", strsignal(signo),
                 server.connection_count());
    bqb::systemd::notify_stopping("stopping");
    server.shutdown([&io] { io.stop(); });
    grace.expires_after(config.server.shutdown_grace);
    grace.async_wait([&](boost::system::error_code e) {
      if (e) return;
      spdlog::warn("requests still running after {} s; exiting anyway",
                   config.server.shutdown_grace.count());
      io.stop();
    });
  });

  spdlog::info("bqbrokerd {} (pid {}) serving on {}{}; config {}{}; store {}; open files {}",
               bqb::kVersion, ::getpid(), listener->path.string(),
               listener->owns_file ? "" : " (from systemd)", loaded->path.string(),
               loaded->found ? "" : " (not found: defaults)", bqb::to_string(config.store), nofile);
  bqb::systemd::notify_ready(fmt::format("serving on {}", listener->path.string()));
  io.run();

  if (listener->owns_file) ::unlink(listener->path.c_str());
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "bqbrokerd: the bqbroker daemon. Keeps your Google OAuth login in the desktop keyring and\n"
      "serves access tokens and BigQuery queries to local programs over a Unix socket.\n"
      "Usually started by systemd: systemctl --user enable --now bqbroker.socket",
      "bqbrokerd"};
  Flags flags;
  app.add_option("--socket", flags.socket,
                 "Unix socket to listen on (default: $BQBROKER_SOCKET, else "
                 "$XDG_RUNTIME_DIR/bqbroker/bqbroker.sock, else /tmp/bqbroker-$UID/bqbroker.sock)");
  app.add_option("--config", flags.config,
                 "configuration file (default: $BQBROKER_CONFIG, else "
                 "$XDG_CONFIG_HOME/bqbroker/config.toml)");
  app.add_option(
      "--log-level", flags.log_level,
      "trace, debug, info, warn, error, critical or off (default: config's log_level, info)");
  app.set_version_flag("--version", std::string("bqbrokerd ") + bqb::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return run(flags);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bqbrokerd: fatal: %s\n", e.what());
    return 1;
  }
}
