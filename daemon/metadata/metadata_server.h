#pragma once
// A GCE metadata-server endpoint on loopback TCP: what Google's client libraries find through
// GCE_METADATA_HOST. It serves one identity (account, scopes, project) and hands out that
// account's tokens through the TokenSource; daemon/metadata/metadata_request.h and
// metadata_answer.h say what each request gets.
//
// TCP has no SO_PEERCRED: each accepted connection's owner uid is asked of the kernel before
// anything is read, within per-listener limits (daemon/server/tcp_peer_gate.h), and a connection
// from another uid is closed at once without an answer, with a warning naming that uid (at most
// one refusal line a second). HTTP/1.1 with keep-alive; a deadline on each
// request read and each response write. The connection handling (cap, registry, drain) is
// daemon/server/connection_server.h. Every response carries `Metadata-Flavor: Google` and GCE's
// `Server: Metadata Server for VM`; every 200 an `ETag` (metadata::etag_of). Query strings are
// never logged.
//
// `?wait_for_change=true` (metadata_request.h) holds the answer on its connection, which stays
// busy and counts against the same limits as any other: a timer wakes the request every
// `change_recheck` to evaluate the value again (values change by things outside the endpoint —
// a new default account, a token refreshed — which send no signal) and to close a connection
// whose client has hung up; nothing runs between wakes. close() wakes every held request at
// once: it answers the value it last saw and its connection closes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "daemon/base/config.h"
#include "daemon/metadata/metadata_answer.h"
#include "daemon/server/peer_limits.h"
#include "daemon/tokens/token_source.h"
#include "proto/error.h"

namespace bqb {

class BlockingPool;

struct MetadataServerOptions {
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};  // idle time included
  std::chrono::milliseconds write_timeout{std::chrono::seconds(10)};
  std::size_t max_connections = 64;  // beyond: not accepted until one closes (the backlog waits)
  std::size_t header_limit = 8 * 1024;
  /// How often a held `wait_for_change` request evaluates its value again.
  std::chrono::milliseconds change_recheck{std::chrono::seconds(1)};
  /// Owner lookups and connections per uid. A uid may hold max_connections - max_pending, so
  /// that the slots it holds never crowd out the lookups of new connections; beyond: 503.
  /// 256 lookups a second: a netlink lookup costs tens of microseconds, so this bounds what a
  /// flood costs (and a /proc fallback's table reads) while a burst of the user's own processes
  /// (`bqbroker exec` over a parallel job) is served.
  PeerLimitsOptions peers{/*max_pending=*/8, /*max_per_uid=*/56, /*lookups_per_second=*/256,
                          /*lookup_burst=*/256};
};

/// @returns the identity to serve now; called for each request, so an endpoint can follow the
/// default account. An error is answered with its status and message.
using MetadataIdentityProvider = std::function<Result<metadata::MetadataIdentity>()>;

class MetadataServer : public std::enable_shared_from_this<MetadataServer> {
 public:
  /// Binds `address` (a loopback IP literal; port 0: the OS picks). `tokens` and `blocking` (which
  /// runs each connection's owner lookup, blocking netlink and /proc reads) must outlive the
  /// server and every connection it serves. @returns io_error naming the address, or conflict
  /// when the port is in use.
  static Result<std::shared_ptr<MetadataServer>> bind(boost::asio::any_io_executor executor,
                                                      const ListenAddress& address,
                                                      TokenSource& tokens, BlockingPool& blocking,
                                                      MetadataIdentityProvider identity,
                                                      MetadataServerOptions options = {});
  ~MetadataServer();
  MetadataServer(const MetadataServer&) = delete;
  MetadataServer& operator=(const MetadataServer&) = delete;

  /// @returns "127.0.0.1:PORT" or "[::1]:PORT": the value for GCE_METADATA_HOST.
  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }

  /// Starts accepting.
  void start();
  /// Stops accepting and closes idle connections; a request being answered finishes first (its
  /// connection then closes), and a held `wait_for_change` request answers at once. Idempotent.
  void close();
  bool closed() const { return closed_; }
  std::size_t connection_count() const;

 private:
  struct Impl;
  MetadataServer(std::unique_ptr<Impl> impl, std::string host, std::uint16_t port);

  std::unique_ptr<Impl> impl_;
  std::string host_;
  std::uint16_t port_ = 0;
  bool closed_ = false;
};

}  // namespace bqb
