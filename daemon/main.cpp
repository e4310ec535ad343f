// bqbrokerd: wiring only. Reads flags and configuration, takes the state lock and the socket,
// registers the API's routes, and runs one io_context until SIGTERM/SIGINT.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bqbroker_version.h"
#include "daemon/core/bq_endpoint.h"
#include "daemon/core/paths.h"
#include "daemon/io/account_registry.h"
#include "daemon/io/account_service.h"
#include "daemon/io/api_accounts.h"
#include "daemon/io/api_login.h"
#include "daemon/io/api_metadata.h"
#include "daemon/io/api_query.h"
#include "daemon/io/api_status.h"
#include "daemon/io/api_token.h"
#include "daemon/io/blocking.h"
#include "daemon/io/config_file.h"
#include "daemon/io/http_client.h"
#include "daemon/io/http_server.h"
#include "daemon/io/listener.h"
#include "daemon/io/logging.h"
#include "daemon/io/login_manager.h"
#include "daemon/io/metadata_default.h"
#include "daemon/io/metadata_server.h"
#include "daemon/io/metadata_sessions.h"
#include "daemon/io/query_runner.h"
#include "daemon/io/rlimit.h"
#include "daemon/io/secret_store_factory.h"
#include "daemon/io/state_lock.h"
#include "daemon/io/systemd.h"
#include "daemon/io/token_service.h"
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

  // --- Accounts: secret store, registry, outbound HTTP, the account service and its routes ---
  // Declaration order matters: `blocking` is destroyed (joined) before the store and the registry
  // its calls use.
  auto secret_store = bqb::make_secret_store(config.store, *state_dir);
  auto registry = bqb::AccountRegistry::open(
      *state_dir, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  if (!registry) return startup_failed(registry.error());
  if (const auto& recovery = (*registry)->recovery()) {
    spdlog::warn("{} could not be read whole; the original is kept as {}",
                 (*registry)->path().string(), recovery->kept_as.string());
    for (const auto& problem : recovery->problems) spdlog::warn("accounts: {}", problem);
  }
  bqb::HttpClientOptions http_options;
  if (config.tls.ca_file) http_options.ca_file = config.tls.ca_file->string();
  http_options.proxy = bqb::ProxySettings::from_environment();
  auto http_client = bqb::make_http_client(io.get_executor(), std::move(http_options));
  if (!http_client) return startup_failed(http_client.error());
  bqb::BlockingPool blocking(2);
  bqb::AccountServiceOptions account_options;
  account_options.revoke_uri = config.oauth.revoke_uri;
  bqb::AccountService accounts(io.get_executor(), *secret_store, **registry, **http_client,
                               blocking, account_options);
  bqb::add_account_routes(router, accounts);
  // --- end of accounts ---

  // --- Login: the OAuth flows, their loopback listeners and routes ---
  bqb::LoginManagerOptions login_options;
  login_options.client_secrets_file = config.client_secrets;
  login_options.default_scopes = config.oauth.scopes;
  login_options.redirect_port = config.oauth.redirect_port;
  login_options.login_timeout = config.oauth.login_timeout;
  bqb::LoginManager logins(
      io.get_executor(), **http_client,
      [&accounts](bqb::NewLogin login) { return accounts.add_login(std::move(login)); },
      login_options);
  bqb::add_login_routes(router, logins);
  // Stopping ends the pending logins, which answers their long-polls instead of holding the
  // shutdown until the grace period. (Every signal_set waiting on a signal is notified.)
  boost::asio::signal_set login_signals(io, SIGTERM, SIGINT);
  login_signals.async_wait([&logins](boost::system::error_code ec, int) {
    if (!ec) logins.shutdown();
  });
  // --- end of login ---

  // --- Tokens: the token service (the daemon's one TokenSource) and GET /v1/token ---
  bqb::TokenServiceOptions token_options;
  token_options.refresh_margin = config.tokens.refresh_margin;
  bqb::TokenService tokens(io.get_executor(), accounts, **http_client, token_options);
  // What the other parts (metadata endpoints, queries) ask for tokens.
  bqb::TokenSource& token_source = tokens;
  bqb::add_token_routes(router, token_source);
  // --- end of tokens ---

  // --- Metadata: per-exec metadata sessions, their routes, and the [metadata] listen endpoint ---
  bqb::MetadataSessionsOptions metadata_options;
  metadata_options.default_project = config.default_project;
  bqb::MetadataSessions metadata_sessions(
      io.get_executor(), token_source, blocking,
      [&accounts](const std::string& email) -> std::optional<std::string> {
        auto account = accounts.find(email);
        return account ? account->project_id : std::nullopt;
      },
      metadata_options);
  bqb::add_metadata_routes(router, metadata_sessions);
  std::shared_ptr<bqb::MetadataServer> metadata_endpoint;
  if (config.metadata.listen) {
    auto bound = bqb::MetadataServer::bind(
        io.get_executor(), *config.metadata.listen, token_source, blocking,
        bqb::default_account_identity(accounts, config.default_project));
    if (!bound) return startup_failed(bound.error());
    metadata_endpoint = std::move(*bound);
    metadata_endpoint->start();
    spdlog::info("metadata endpoint for the default account on {}", metadata_endpoint->host());
  }
  boost::asio::signal_set metadata_signals(io, SIGTERM, SIGINT);
  metadata_signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    metadata_sessions.close_all();
    if (metadata_endpoint) metadata_endpoint->close();
  });
  // --- end of metadata ---

  // --- Queries: the query runner (BigQuery REST API v2), POST /v1/query, DELETE /v1/jobs ---
  const char* emulator_host = std::getenv(std::string(bqb::bq::kEmulatorHostVariable).c_str());
  auto bigquery_root = bqb::bq::api_root(
      config.bigquery.endpoint,
      emulator_host ? std::optional<std::string_view>(emulator_host) : std::nullopt);
  if (!bigquery_root) return startup_failed(bigquery_root.error());
  bqb::QueryRunnerOptions query_options;
  query_options.bigquery.api_root = *bigquery_root;
  query_options.bigquery.quota_project = config.quota_project;
  bqb::QueryRunner queries(**http_client, token_source, query_options);
  bqb::add_query_routes(
      router, queries, config.default_project,
      [&accounts](const std::optional<std::string>& account) -> std::optional<std::string> {
        auto email = account ? account : accounts.default_email();
        auto found = email ? accounts.find(*email) : std::nullopt;
        return found ? found->project_id : std::nullopt;
      });
  spdlog::info("BigQuery API at {}", *bigquery_root);
  // --- end of queries ---

  bqb::StatusInfo status_info{listener->path, std::string(bqb::to_string(config.store)), started};
  status_info.accounts = &accounts;
  status_info.tokens = &tokens;
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
