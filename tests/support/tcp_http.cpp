#include "tests/support/tcp_http.h"

#include <cctype>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace bqb::itest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = beast::http;

Expected<TcpAnswer> tcp_request(std::uint16_t port, const TcpRequest& request) {
  boost::system::error_code setup;
  const auto address = asio::ip::make_address(request.address, setup);
  if (setup) return tl::unexpected("not an IP address: " + request.address);
  asio::io_context io;
  beast::tcp_stream stream(io);
  if (address.is_v6()) {
    stream.socket().open(asio::ip::tcp::v6(), setup);
    if (!setup) stream.socket().set_option(asio::ip::v6_only(false), setup);
    if (setup) return tl::unexpected("cannot open an IPv6 (AF_INET6) socket: " + setup.message());
  }
  bh::request<bh::string_body> req{bh::string_to_verb(request.method), request.target, 11};
  req.set(bh::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : request.headers) req.set(name, value);
  if (!request.body.empty()) req.set(bh::field::content_type, request.content_type);
  req.body() = request.body;
  req.prepare_payload();
  bh::response<bh::string_body> res;
  beast::flat_buffer buffer;
  std::string failure;
  stream.expires_after(request.timeout);
  stream.async_connect(asio::ip::tcp::endpoint(address, port), [&](beast::error_code ec) {
    if (ec) return void(failure = "connect: " + ec.message());
    bh::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
      if (wec) return void(failure = "write: " + wec.message());
      bh::async_read(stream, buffer, res, [&](beast::error_code rec, std::size_t) {
        if (rec) failure = "read: " + rec.message();
      });
    });
  });
  io.run();
  if (!failure.empty()) return tl::unexpected(failure);
  TcpAnswer answer{
      static_cast<int>(res.result_int()), std::string(res[bh::field::location]), res.body(), {}};
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    answer.headers[name] = std::string(field.value());
  }
  return answer;
}

Expected<TcpAnswer> tcp_request(std::uint16_t port, std::string method, std::string target,
                                std::string body, std::string content_type) {
  TcpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return tcp_request(port, r);
}

Expected<TcpAnswer> get_url(const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return tl::unexpected("not a URL: " + url);
  return tcp_request(u->port_number(), "GET", std::string(u->encoded_target()));
}

std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::address_v4::loopback(), 0});
  return a.local_endpoint().port();
}

}  // namespace bqb::itest
