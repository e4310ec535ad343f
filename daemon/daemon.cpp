#include "daemon/daemon.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bqbroker_version.h"
#include "daemon/accounts/api_accounts.h"
#include "daemon/accounts/secret_store_factory.h"
#include "daemon/base/logging.h"
#include "daemon/base/paths.h"
#include "daemon/base/rlimit.h"
#include "daemon/base/systemd.h"
#include "daemon/login/api_login.h"
#include "daemon/metadata/api_metadata.h"
#include "daemon/metadata/metadata_default.h"
#include "daemon/query/api_query.h"
#include "daemon/query/bq_endpoint.h"
#include "daemon/tokens/api_token.h"
#include "proto/socket_path.h"

namespace bqb {

Daemon::Daemon() : started_(std::chrono::steady_clock::now()) {}

Daemon::~Daemon() = default;

Result<std::unique_ptr<Daemon>> Daemon::create(const DaemonFlags& flags) {
  // A client that hangs up mid-response must cost an error on that write, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<Daemon> d(new Daemon());
  if (auto s = d->open_state(flags); !s) return tl::unexpected(s.error());
  if (auto s = d->open_accounts(); !s) return tl::unexpected(s.error());
  d->open_logins();
  d->open_tokens();
  if (auto s = d->open_metadata(); !s) return tl::unexpected(s.error());
  if (auto s = d->open_queries(); !s) return tl::unexpected(s.error());
  d->open_api_server();
  return d;
}

// The configuration, logging, the state directory and its lock, and the socket: what must be
// ours before anything else starts.
Status Daemon::open_state(const DaemonFlags& flags) {
  auto env = path_env_from_environment();
  BQB_TRY(location, resolve_config_path(env, flags.config));
  BQB_TRY(loaded, load_config_file(location));
  loaded_ = std::move(loaded);
  config_location_ = location;

  if (auto s = init_logging(flags.log_level.value_or(loaded_->config.log_level)); !s) return s;
  BQB_TRY(state_dir, resolve_state_dir(env));
  state_dir_ = std::move(state_dir);
  BQB_TRY(lock, StateLock::acquire(state_dir_));
  lock_.emplace(std::move(lock));

  auto socket_path = resolve_socket_path(socket_path_inputs_from_env(flags.socket));
  BQB_TRY(listener, open_listener(io_, socket_path));
  listener_.emplace(std::move(listener));
  open_files_ = raise_open_file_limit();
  return {};
}

// The secret store, the account registry, outbound HTTP, the account service and its routes,
// and the reminder of accounts that need a new login.
Status Daemon::open_accounts() {
  const Config& config = loaded_->config;
  secret_store_ = make_secret_store(config.store, state_dir_);
  BQB_TRY(registry, AccountRegistry::open(state_dir_, std::chrono::floor<std::chrono::seconds>(
                                                          std::chrono::system_clock::now())));
  registry_ = std::move(registry);
  if (const auto& recovery = registry_->recovery()) {
    spdlog::warn("{} could not be read whole; the original is kept as {}",
                 registry_->path().string(), recovery->kept_as.string());
    for (const auto& problem : recovery->problems) spdlog::warn("accounts: {}", problem);
  }

  HttpClientOptions http_options;
  if (config.tls.ca_file) http_options.ca_file = config.tls.ca_file->string();
  http_options.proxy = ProxySettings::from_environment();
  BQB_TRY(http_client, make_http_client(io_.get_executor(), std::move(http_options)));
  http_client_ = std::move(http_client);

  blocking_.emplace(2);
  AccountServiceOptions account_options;
  account_options.revoke_uri = config.oauth.revoke_uri;
  account_options.token_uri = config.oauth.token_uri;
  accounts_.emplace(io_.get_executor(), *secret_store_, *registry_, *http_client_, *blocking_,
                    account_options);
  add_account_routes(router_, *accounts_);
  if (config.notifications.enabled) {
    LoginReminderOptions reminder_options;
    reminder_options.grace = config.notifications.grace;
    reminder_.emplace(io_.get_executor(), *accounts_, *blocking_, reminder_options);
  }
  return {};
}

// The OAuth login flows, their loopback listeners and routes.
void Daemon::open_logins() {
  const Config& config = loaded_->config;
  LoginManagerOptions login_options;
  login_options.client_secrets_file = config.client_secrets;
  login_options.default_scopes = config.oauth.scopes;
  login_options.redirect_port = config.oauth.redirect_port;
  login_options.login_timeout = config.oauth.login_timeout;
  logins_.emplace(
      io_.get_executor(), *http_client_, *blocking_,
      [&accounts = *accounts_](NewLogin login) { return accounts.add_login(std::move(login)); },
      login_options);
  add_login_routes(router_, *logins_);
}

// The token service, the daemon's one TokenSource, and GET /v1/token.
void Daemon::open_tokens() {
  TokenServiceOptions token_options;
  token_options.refresh_margin = loaded_->config.tokens.refresh_margin;
  token_options.http_timeout = loaded_->config.oauth.request_timeout;
  tokens_.emplace(io_.get_executor(), *accounts_, *http_client_, token_options);
  add_token_routes(router_, *tokens_);
}

// Per-exec metadata sessions and their routes, and the [metadata] listen endpoint when set.
Status Daemon::open_metadata() {
  const Config& config = loaded_->config;
  MetadataSessionsOptions metadata_options;
  metadata_options.default_project = config.default_project;
  metadata_options.numeric_project_id = config.metadata.numeric_project_id;
  metadata_sessions_.emplace(
      io_.get_executor(), *tokens_, *blocking_,
      [&accounts = *accounts_](const std::string& email) -> std::optional<std::string> {
        auto account = accounts.find(email);
        return account ? account->project_id : std::nullopt;
      },
      metadata_options);
  add_metadata_routes(router_, *metadata_sessions_);
  if (!config.metadata.listen) return {};

  BQB_TRY(bound,
          MetadataServer::bind(io_.get_executor(), *config.metadata.listen, *tokens_, *blocking_,
                               default_account_identity(*accounts_, config.default_project,
                                                        config.metadata.numeric_project_id)));
  metadata_endpoint_ = std::move(bound);
  metadata_endpoint_->start();
  spdlog::info("metadata endpoint for the default account on {}", metadata_endpoint_->host());
  return {};
}

// The query runner (BigQuery REST API v2), POST /v1/query and DELETE /v1/jobs.
Status Daemon::open_queries() {
  const Config& config = loaded_->config;
  const char* emulator_host = std::getenv(std::string(bq::kEmulatorHostVariable).c_str());
  BQB_TRY(bigquery_root, bq::api_root(config.bigquery.endpoint,
                                      emulator_host ? std::optional<std::string_view>(emulator_host)
                                                    : std::nullopt));
  QueryRunnerOptions query_options;
  query_options.bigquery.api_root = bigquery_root;
  query_options.bigquery.quota_project = config.quota_project;
  query_options.http_timeout = config.bigquery.request_timeout;
  queries_.emplace(*http_client_, *tokens_, query_options);
  add_query_routes(router_, *queries_, config.default_project,
                   [&accounts = *accounts_](
                       const std::optional<std::string>& account) -> std::optional<std::string> {
                     auto email = account ? account : accounts.default_email();
                     auto found = email ? accounts.find(*email) : std::nullopt;
                     return found ? found->project_id : std::nullopt;
                   });
  spdlog::info("BigQuery API at {}", bigquery_root);
  return {};
}

// GET /v1/status and /v1/doctor, the socket API's server on the listener, and the signals that stop
// it all.
void Daemon::open_api_server() {
  const Config& config = loaded_->config;
  status_info_.emplace(StatusInfo{listener_->path, std::string(to_string(config.store)), started_});
  status_info_->accounts = &*accounts_;
  status_info_->tokens = &*tokens_;
  add_status_routes(router_, *status_info_);
  doctor_info_.emplace(DoctorInfo{
      .config = *config_location_,
      .token_uri = config.oauth.token_uri,
      .request_timeout = config.oauth.request_timeout,
      .metadata_listen =
          metadata_endpoint_ ? std::optional(metadata_endpoint_->host()) : std::nullopt,
      .store = secret_store_.get(),
      .blocking = &*blocking_,
      .http = http_client_.get(),
  });
  add_doctor_routes(router_, *doctor_info_);

  http::ServerOptions options;
  options.request_timeout = config.server.request_timeout;
  options.max_connections = config.server.max_connections;
  server_.emplace(std::move(listener_->acceptor), router_, options);
  server_->start();

  signals_.emplace(io_, SIGTERM, SIGINT);
  grace_.emplace(io_);
  signals_->async_wait([this](boost::system::error_code ec, int signo) {
    if (!ec) stop(fmt::format("received {}", strsignal(signo)));
  });
}

void Daemon::stop(std::string_view reason) {
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("{}: finishing {} connection(s), then exiting", reason, server_->connection_count());
  systemd::notify_stopping("stopping");
  // Ending the pending logins answers their long-polls now, so they do not hold the drain
  // below until the grace period.
  logins_->shutdown();
  metadata_sessions_->close_all();
  if (metadata_endpoint_) metadata_endpoint_->close();
  server_->shutdown([this] { io_.stop(); });
  grace_->expires_after(loaded_->config.server.shutdown_grace);
  grace_->async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    spdlog::warn("requests still running after {} s; exiting anyway",
                 loaded_->config.server.shutdown_grace.count());
    io_.stop();
  });
}

int Daemon::run() {
  spdlog::info("bqbrokerd {} (pid {}) serving on {}{}; config {}{}; store {}; open files {}",
               kVersion, ::getpid(), listener_->path.string(),
               listener_->owns_file ? "" : " (from systemd)", loaded_->path.string(),
               loaded_->found ? "" : " (not found: defaults)", to_string(loaded_->config.store),
               open_files_);
  systemd::notify_ready(fmt::format("serving on {}", listener_->path.string()));
  io_.run();

  if (listener_->owns_file) ::unlink(listener_->path.c_str());
  spdlog::info("stopped");
  return 0;
}

}  // namespace bqb
