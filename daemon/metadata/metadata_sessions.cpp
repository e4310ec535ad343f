#include "daemon/metadata/metadata_sessions.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "daemon/base/random.h"

namespace bqb {
namespace {

namespace asio = boost::asio;

/// @returns a pidfd for `pid` (readable once the process exits), or the error: `gone` when there
/// is no such process.
Result<int> open_pidfd(pid_t pid, Error gone) {
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) return static_cast<int>(fd);
  const int err = errno;
  if (err == ESRCH) return tl::unexpected(std::move(gone));
  return fail(Errc::io_error,
              fmt::format("cannot watch process {} (pidfd_open): {}", pid, std::strerror(err)));
}

}  // namespace

struct MetadataSessions::Session {
  api::MetadataSession info;
  pid_t owner = 0;
  std::shared_ptr<MetadataServer> server;
  std::unique_ptr<asio::posix::stream_descriptor> owner_exit;

  ~Session() {
    if (server) server->close();
  }
};

MetadataSessions::MetadataSessions(asio::any_io_executor executor, TokenSource& tokens,
                                   BlockingPool& blocking, AccountProjectLookup account_project,
                                   MetadataSessionsOptions options)
    : executor_(std::move(executor)),
      tokens_(tokens),
      blocking_(blocking),
      account_project_(std::move(account_project)),
      options_(std::move(options)) {}

MetadataSessions::~MetadataSessions() { close_all(); }

asio::awaitable<Result<api::MetadataSession>> MetadataSessions::open(
    api::MetadataSessionRequest request, PeerCred owner) {
  std::optional<oauth::ScopeSet> scopes;
  if (!request.scopes.empty()) {
    BQB_CO_TRY(parsed, oauth::ScopeSet::from_list(request.scopes, "the metadata session's scopes"));
    scopes = std::move(parsed);
  }
  const std::string executable = process_executable(owner.pid);
  // One token now: the account and scopes are checked where the caller can still report it.
  TokenRequest check;
  check.account = request.account;
  check.scopes = scopes;
  check.caller = TokenCaller{owner.uid, owner.pid, executable, "metadata session"};
  auto token = co_await tokens_.token(std::move(check));
  if (!token) co_return tl::unexpected(std::move(token).error());

  BQB_CO_TRY(
      pidfd,
      open_pidfd(
          owner.pid,
          Error{Errc::conflict,
                fmt::format("process {} that asked for the metadata session has exited", owner.pid),
                ""}));
  auto owner_exit = std::make_unique<asio::posix::stream_descriptor>(executor_, pidfd);

  metadata::MetadataIdentity identity{token->account, token->scopes, request.project, std::nullopt};
  if (!identity.project) identity.project = options_.default_project;
  if (!identity.project && account_project_) identity.project = account_project_(token->account);
  identity.numeric_project = metadata::numeric_project_for(
      identity.project, options_.default_project, options_.numeric_project_id);

  BQB_CO_TRY(id_secret, random_token(12));
  const std::string id = id_secret.reveal();  // an id, not a credential: same-uid callers only
  BQB_CO_TRY(server, MetadataServer::bind(
                         executor_, ListenAddress{options_.listen_host, 0}, tokens_, blocking_,
                         [identity]() -> Result<metadata::MetadataIdentity> { return identity; },
                         options_.server));
  server->start();

  auto session = std::make_unique<Session>();
  session->info = api::MetadataSession{id, server->host(), identity.account,
                                       identity.scopes.items(), identity.project};
  session->owner = owner.pid;
  session->server = std::move(server);
  session->owner_exit = std::move(owner_exit);
  auto info = session->info;
  spdlog::info("metadata session {} for pid {} ({}), uid {}: {} with {} on {}", id, owner.pid,
               executable, owner.uid, info.account, fmt::join(info.scopes, " "), info.host);
  sessions_.emplace(id, std::move(session));
  watch_owner(id, owner.pid);
  co_return info;
}

void MetadataSessions::watch_owner(const std::string& id, pid_t pid) {
  auto& session = *sessions_.at(id);
  // A pidfd turns readable when its process exits. Closing the session destroys the descriptor,
  // which completes this wait with operation_aborted: then `this` is not touched.
  session.owner_exit->async_wait(
      asio::posix::stream_descriptor::wait_read, [this, id, pid](boost::system::error_code ec) {
        if (ec) return;
        spdlog::info("metadata session {}: process {} exited; closing", id, pid);
        (void)close(id);
      });
}

Status MetadataSessions::follow(std::string_view id, pid_t pid, const PeerCred& caller) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return fail(Errc::not_found, fmt::format("no metadata session '{}'", id));
  }
  Session& session = *it->second;
  if (caller.pid != session.owner) {
    return fail(
        Errc::forbidden,
        fmt::format("only the process that opened metadata session '{}' may hand it on", id));
  }
  // Pinned first: the parent read next is that of this very process, not of one that took its
  // pid over. A child that exited already is still our zombie, so this succeeds and the session
  // closes at once below.
  BQB_TRY(pidfd, open_pidfd(pid, Error{Errc::not_found, fmt::format("no process {}", pid), ""}));
  auto child_exit = std::make_unique<asio::posix::stream_descriptor>(executor_, pidfd);
  if (process_parent(pid) != caller.pid) {
    return fail(Errc::forbidden, fmt::format("process {} is not a child of process {}, which "
                                             "opened metadata session '{}'",
                                             pid, caller.pid, id));
  }
  // Replacing the descriptor aborts the opener's wait (its handler then does nothing).
  session.owner = pid;
  session.owner_exit = std::move(child_exit);
  spdlog::info("metadata session {} now lives as long as process {} ({})", id, pid,
               process_executable(pid));
  watch_owner(std::string(id), pid);
  return {};
}

Status MetadataSessions::close(std::string_view id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return fail(Errc::not_found, fmt::format("no metadata session '{}'", id));
  }
  spdlog::info("metadata session {} on {} closed", it->first, it->second->info.host);
  sessions_.erase(it);
  return {};
}

void MetadataSessions::close_all() { sessions_.clear(); }

}  // namespace bqb
