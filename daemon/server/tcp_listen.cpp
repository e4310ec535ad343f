#include "daemon/server/tcp_listen.h"

#include <fmt/format.h>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/socket_base.hpp>

namespace bqb {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address().to_string();
  return endpoint.address().is_v6() ? fmt::format("[{}]:{}", address, endpoint.port())
                                    : fmt::format("{}:{}", address, endpoint.port());
}

Result<tcp::acceptor> listen_tcp(asio::any_io_executor executor, const tcp::endpoint& endpoint,
                                 std::string_view what, std::string_view in_use_hint) {
  tcp::acceptor acceptor(std::move(executor));
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec && endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec == asio::error::address_in_use) {
    return fail(Errc::conflict,
                fmt::format("cannot {} on {}: the port is in use", what, endpoint_text(endpoint)),
                std::string(in_use_hint));
  }
  if (ec) {
    return fail(Errc::io_error,
                fmt::format("cannot {} on {}: {}", what, endpoint_text(endpoint), ec.message()));
  }
  return acceptor;
}

}  // namespace bqb
