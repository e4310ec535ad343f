#pragma once
// Shared pieces of the login unit tests: a scripted token endpoint behind the HttpClient
// interface, id_tokens and token answers as Google shapes them, and a tiny browser that speaks
// HTTP/1.1 to the loopback listener.

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "daemon/base/base64.h"
#include "daemon/net/http_client.h"
#include "daemon/oauth/client_secrets.h"

namespace bqb::test {

/// An HttpClient that answers from a script and records what it was sent.
class ScriptedHttp final : public HttpClient {
 public:
  boost::asio::awaitable<Result<HttpResponse>> send(HttpRequest request) override {
    requests.push_back(request);
    if (answers.empty()) co_return fail(Errc::internal, "ScriptedHttp: no answer scripted");
    auto next = std::move(answers.front());
    answers.pop_front();
    co_return next;
  }

  void answer(int status, std::string body) {
    answers.push_back(
        HttpResponse{status, {{"Content-Type", "application/json"}}, std::move(body)});
  }

  std::deque<Result<HttpResponse>> answers;
  std::vector<HttpRequest> requests;
};

/// @returns an unsigned JWT whose payload is `claims` (the daemon does not check signatures: the
/// token comes straight from the token endpoint over TLS).
inline std::string make_id_token(const nlohmann::json& claims) {
  return base64url_encode(R"({"alg":"RS256","typ":"JWT"})") + "." +
         base64url_encode(claims.dump()) + "." + base64url_encode("signature");
}

/// @returns a successful authorization_code answer for `email`.
inline std::string token_answer(const std::string& email, bool with_refresh = true) {
  nlohmann::json j = {{"access_token", "ya29.test-access-token-value"},
                      {"expires_in", 3599},
                      {"token_type", "Bearer"},
                      {"scope",
                       "openid https://www.googleapis.com/auth/userinfo.email "
                       "https://www.googleapis.com/auth/bigquery"},
                      {"id_token", make_id_token({{"email", email}, {"email_verified", true}})}};
  if (with_refresh) j["refresh_token"] = "1//test-refresh-token-value";
  return j.dump();
}

inline oauth::ClientSecrets test_client() {
  oauth::ClientSecrets c;
  c.client_id = "123-test.apps.googleusercontent.com";
  c.client_secret = Secret("GOCSPX-test-client-secret");
  c.project_id = "test-project";
  c.auth_uri = "http://127.0.0.1:9/o/oauth2/auth";
  c.token_uri = "http://127.0.0.1:9/token";
  return c;
}

inline std::string client_secrets_json(const oauth::ClientSecrets& c) {
  return nlohmann::json{{"installed",
                         {{"client_id", c.client_id},
                          {"client_secret", c.client_secret.reveal()},
                          {"project_id", c.project_id.value_or("p")},
                          {"auth_uri", c.auth_uri},
                          {"token_uri", c.token_uri},
                          {"redirect_uris", {"http://localhost"}}}}}
      .dump();
}

struct BrowserAnswer {
  int status = 0;
  std::string body;
  std::string header(std::string_view name) const {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? "" : it->second;
  }
  std::map<std::string, std::string> headers;
};

/// GET http://127.0.0.1:`port``target`, as a browser would. Throws on a network error.
// `target` is a view (of a literal, usually): g++ 12 destroys a prvalue std::string argument of a
// coroutine twice when the call is the operand of co_await.
inline boost::asio::awaitable<BrowserAnswer> browser_get(std::uint16_t port,
                                                         std::string_view target_view) {
  const std::string target(target_view);
  namespace beast = boost::beast;
  namespace http = beast::http;
  auto executor = co_await boost::asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  stream.expires_after(std::chrono::seconds(10));
  co_await stream.async_connect(
      boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), port),
      boost::asio::use_awaitable);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  req.set(http::field::user_agent, "test-browser");
  co_await http::async_write(stream, req, boost::asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buffer, res, boost::asio::use_awaitable);
  BrowserAnswer out{static_cast<int>(res.result_int()), res.body(), {}};
  for (const auto& f : res) out.headers[std::string(f.name_string())] = std::string(f.value());
  co_return out;
}

}  // namespace bqb::test
