// Fuzz target: a whole request on the socket API as any local program may send it. The bytes go
// through Beast's request parser with the server's header and body limits (ServerOptions), then
// through the daemon's Router: the request-target (Boost.URL), route matching with its 404 and
// 405 answers, and, for each operation, what its handler reads before any work: the query
// parameters, the captured path segments and the JSON body through json_body() and the
// operation's parser. The handlers here answer with what they read instead of doing the work.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "daemon/base/gcc_coroutine_frames.h"  // silences a GCC 12 false positive
#include "daemon/server/http_server.h"
#include "daemon/server/router.h"
#include "fuzz/fuzz_input.h"
#include "proto/accounts_api.h"
#include "proto/login_api.h"
#include "proto/metadata_api.h"
#include "proto/query_api.h"
#include "proto/routes.h"

namespace {

namespace asio = boost::asio;
namespace http = bqb::http;
namespace api = bqb::api;
namespace routes = bqb::routes;

/// Echoes what a handler reads from the request (captures and query parameters, decoded), the
/// JSON body checked by `parse` when the operation has one.
template <typename Parse>
http::Handler reading(Parse parse) {
  return [parse](http::RequestContext& ctx) -> asio::awaitable<http::Response> {
    nlohmann::json seen = nlohmann::json::object();
    seen["captures"] = ctx.params;
    for (auto param : ctx.target.params()) seen["params"][param.key] = param.value;
    if constexpr (!std::is_same_v<Parse, std::nullptr_t>) {
      auto body = http::optional_json_body(ctx);
      if (!body) co_return http::error_response(body.error());
      auto request = parse(*body);
      if (!request) co_return http::error_response(request.error());
    } else {
      (void)parse;  // an operation without a body: nothing to parse
    }
    co_return http::json_response(200, seen);
  };
}

const http::Router& router() {
  static const http::Router table = [] {
    http::Router r;
    for (const auto& route : routes::kAll) {
      const auto is = [&](const routes::Route& other) {
        return route.method == other.method && route.pattern == other.pattern;
      };
      if (is(routes::kQuery)) {
        r.add(route, reading(api::parse_query_request));
      } else if (is(routes::kStartLogin)) {
        r.add(route, reading(api::parse_login_start_request));
      } else if (is(routes::kLoginRedirect)) {
        r.add(route, reading(api::parse_login_redirect_request));
      } else if (is(routes::kImportAccount)) {
        r.add(route, reading(api::parse_import_adc_request));
      } else if (is(routes::kSetDefaultAccount)) {
        r.add(route, reading(api::parse_set_default_request));
      } else if (is(routes::kOpenMetadataSession)) {
        r.add(route, reading(api::parse_metadata_session_request));
      } else {
        r.add(route, reading(nullptr));
      }
    }
    return r;
  }();
  return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace beast_http = boost::beast::http;
  bqb::fuzz::Input in(data, size);
  const http::ServerOptions limits;
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  parser.body_limit(limits.body_limit);
  parser.eager(true);
  boost::beast::error_code ec;
  std::string_view rest = in.text;
  while (!rest.empty() && !parser.is_done()) {
    const auto used = parser.put(asio::buffer(rest.data(), rest.size()), ec);
    if (ec || used == 0) break;
    rest.remove_prefix(used);
  }
  if (ec == beast_http::error::need_more || (!ec && !parser.is_done())) {
    ec = {};
    parser.put_eof(ec);  // the client closed: a body delimited by the end of the stream ends
  }
  if (ec || !parser.is_done()) return 0;
  asio::io_context io;
  asio::co_spawn(io, router().dispatch(parser.get(), bqb::PeerCred{}), asio::detached);
  io.run();
  return 0;
}
