#pragma once
// The daemon's object graph: configuration, state lock, socket, accounts, logins, tokens,
// metadata endpoints, queries and the socket API's server, built in one order and torn down in
// the reverse one, with one stop sequence that SIGTERM and SIGINT start.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/accounts/account_registry.h"
#include "daemon/accounts/account_service.h"
#include "daemon/accounts/secret_store.h"
#include "daemon/api_doctor.h"
#include "daemon/api_status.h"
#include "daemon/base/blocking.h"
#include "daemon/base/config_file.h"
#include "daemon/base/state_lock.h"
#include "daemon/login/login_manager.h"
#include "daemon/metadata/metadata_server.h"
#include "daemon/metadata/metadata_sessions.h"
#include "daemon/net/http_client.h"
#include "daemon/notify/login_reminder.h"
#include "daemon/query/query_runner.h"
#include "daemon/server/http_server.h"
#include "daemon/server/listener.h"
#include "daemon/server/router.h"
#include "daemon/tokens/token_service.h"
#include "proto/error.h"

namespace bqb {

/// What the command line chose; each unset field falls back to the environment or the config.
struct DaemonFlags {
  std::optional<std::string> socket;
  std::optional<std::string> config;
  std::optional<std::string> log_level;
};

class Daemon {
 public:
  /// Reads the configuration, starts logging, takes the state lock and the socket, builds every
  /// part and starts the servers (nothing is served before run()).
  /// @returns the daemon, or the error that must stop the start (naming the path or setting at
  /// fault, with a hint); the caller prints it and exits 1.
  static Result<std::unique_ptr<Daemon>> create(const DaemonFlags& flags);

  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  /// Says READY to systemd and serves until stop() has drained the API server or its grace
  /// period ran out; then removes the socket file if the daemon created it.
  /// @returns the process's exit code (0).
  int run();

  /// The one stop sequence, on the io_context's thread: ends the logins in progress (answering
  /// their long-polls), closes the metadata sessions and endpoint, then drains the API server,
  /// leaving run() when no connection is left or after [server] shutdown_grace_seconds.
  /// `reason` opens the log line ("received Terminated"). Only the first call acts.
  void stop(std::string_view reason);

 private:
  Daemon();

  // The construction steps, called by create() in this order; each fills the members it owns.
  Status open_state(const DaemonFlags& flags);
  Status open_accounts();
  void open_logins();
  void open_tokens();
  Status open_metadata();
  Status open_queries();
  void open_api_server();

  // Members are declared in construction order (create() fills the optional ones in this order),
  // so destruction runs in the reverse: the server goes before the parts its routes use, each
  // part before what it was given, the blocking pool (joined) before the store and registry its
  // calls use, and the io_context (with any handler still queued) after everything on it.
  std::chrono::steady_clock::time_point started_;
  std::optional<LoadedConfig> loaded_;
  std::optional<ConfigLocation> config_location_;  // where loaded_ came from: doctor reads it again
  std::filesystem::path state_dir_;
  std::optional<StateLock> lock_;
  boost::asio::io_context io_{1};
  std::optional<Listener> listener_;  // its acceptor moves into server_
  rlim_t open_files_ = 0;             // the soft RLIMIT_NOFILE, for the start line
  http::Router router_;
  std::unique_ptr<SecretStore> secret_store_;
  std::unique_ptr<AccountRegistry> registry_;
  std::unique_ptr<HttpClient> http_client_;
  std::optional<BlockingPool> blocking_;
  std::optional<AccountService> accounts_;
  std::optional<LoginReminder> reminder_;  // set when [notifications] enabled is
  std::optional<LoginManager> logins_;
  std::optional<TokenService> tokens_;
  std::optional<MetadataSessions> metadata_sessions_;
  std::shared_ptr<MetadataServer> metadata_endpoint_;  // set when [metadata] listen is
  std::optional<QueryRunner> queries_;
  std::optional<StatusInfo> status_info_;
  std::optional<DoctorInfo> doctor_info_;
  std::optional<http::HttpServer> server_;
  std::optional<boost::asio::signal_set> signals_;
  std::optional<boost::asio::steady_timer> grace_;
  bool stopping_ = false;
};

}  // namespace bqb
