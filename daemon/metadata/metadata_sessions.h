#pragma once
// Metadata sessions (proto/metadata_api.h): a metadata-server endpoint opened for one
// `bqbroker exec`, serving one account and one scope set on a loopback port the OS picks, and
// closed by DELETE or as soon as the process that opened it exits (watched through a pidfd, so a
// CLI killed with SIGKILL never leaves an endpoint behind).

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "daemon/metadata/metadata_server.h"
#include "daemon/tokens/token_source.h"
#include "proto/metadata_api.h"
#include "proto/peer_cred.h"

namespace bqb {

class BlockingPool;

struct MetadataSessionsOptions {
  /// The IP literal the session endpoints listen on.
  std::string listen_host = "127.0.0.1";
  /// `default_project` from config.toml: the project reported when a request names none.
  std::optional<std::string> default_project;
  /// `[metadata] numeric_project_id`: default_project's number, reported beside it.
  std::optional<std::string> numeric_project_id;
  MetadataServerOptions server;
};

/// @returns the project of `account` (its client_secrets/ADC project), or nullopt.
using AccountProjectLookup = std::function<std::optional<std::string>(const std::string& account)>;

class MetadataSessions {
 public:
  /// `tokens` and `blocking` (the sessions' endpoints run their owner lookups on it) must outlive
  /// this object; its destructor closes every session.
  MetadataSessions(boost::asio::any_io_executor executor, TokenSource& tokens,
                   BlockingPool& blocking, AccountProjectLookup account_project,
                   MetadataSessionsOptions options);
  ~MetadataSessions();
  MetadataSessions(const MetadataSessions&) = delete;
  MetadataSessions& operator=(const MetadataSessions&) = delete;

  /// Opens a session for `owner` (the POST's SO_PEERCRED). The account and scopes are checked by
  /// asking the TokenSource for a token once, so needs_login, not_found, scope_not_granted come
  /// back here rather than at the child's first request. Project: the request's, else
  /// default_project, else the account's. @returns the session; bad_request for an invalid scope;
  /// the TokenSource's errors; io_error when no port can be bound or `owner` cannot be watched
  /// (conflict when it already exited).
  boost::asio::awaitable<Result<api::MetadataSession>> open(api::MetadataSessionRequest request,
                                                            PeerCred owner);

  /// Makes session `id` live as long as process `pid` instead of its opener (PUT …/process):
  /// `caller` (SO_PEERCRED) must be the process that opened it, and `pid` its child, pinned by a
  /// pidfd before its parent is checked. @returns not_found for an unknown id or no process
  /// `pid`; forbidden when the caller is not the opener or `pid` is not its child; io_error when
  /// `pid` cannot be watched. On an error the session keeps following its opener.
  Status follow(std::string_view id, pid_t pid, const PeerCred& caller);

  /// Closes session `id` and its endpoint. @returns not_found for an unknown id.
  Status close(std::string_view id);

  /// Closes every session (daemon shutdown).
  void close_all();

  std::size_t size() const { return sessions_.size(); }

 private:
  struct Session;
  void watch_owner(const std::string& id, pid_t pid);

  boost::asio::any_io_executor executor_;
  TokenSource& tokens_;
  BlockingPool& blocking_;
  AccountProjectLookup account_project_;
  MetadataSessionsOptions options_;
  std::map<std::string, std::unique_ptr<Session>, std::less<>> sessions_;
};

}  // namespace bqb
