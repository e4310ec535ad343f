#include "daemon/server/listener.h"

#include <sys/stat.h>
#include <sys/un.h>

#include <fmt/format.h>

#include "daemon/base/systemd.h"
#include "daemon/server/socket_dir.h"

namespace bqb {

using Protocol = boost::asio::local::stream_protocol;

Result<Listener> open_listener(boost::asio::io_context& io, const std::filesystem::path& path) {
  BQB_TRY(passed, systemd::take_listen_fd());
  boost::system::error_code ec;
  if (passed) {
    Protocol::acceptor acceptor(io);
    acceptor.assign(Protocol(), *passed, ec);
    if (ec) return fail(Errc::io_error, "cannot use the socket systemd passed: " + ec.message());
    auto local = acceptor.local_endpoint(ec);
    return Listener{std::move(acceptor), ec ? path : std::filesystem::path(local.path()), false};
  }

  if (path.native().size() >= sizeof(sockaddr_un::sun_path)) {
    return fail(Errc::io_error,
                fmt::format("the socket path {} is too long for a Unix socket", path.string()));
  }
  if (auto s = prepare_private_dir(path.parent_path()); !s) return tl::unexpected(s.error());
  if (auto s = clear_stale_socket(path); !s) return tl::unexpected(s.error());

  Protocol::acceptor acceptor(io);
  acceptor.open(Protocol(), ec);
  // The directory is 0700 already; the umask makes the socket 0600 from the moment it exists.
  mode_t old_mask = ::umask(0177);
  if (!ec) acceptor.bind(Protocol::endpoint(path.string()), ec);
  ::umask(old_mask);
  if (!ec) acceptor.listen(Protocol::socket::max_listen_connections, ec);
  if (ec) {
    return fail(Errc::io_error,
                fmt::format("cannot listen on {}: {}", path.string(), ec.message()));
  }
  return Listener{std::move(acceptor), path, true};
}

}  // namespace bqb
