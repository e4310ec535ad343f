#pragma once
// Shared pieces of the token-service unit tests: a token endpoint behind the HttpClient interface
// and a form-body reader to check what the service sent it.

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "daemon/net/http_client.h"

namespace bqb::test {

inline constexpr std::string_view kTokenUri = "http://127.0.0.1:9/token";
inline constexpr std::string_view kRevokeUri = "http://127.0.0.1:9/revoke";
inline constexpr std::string_view kGranted =
    "https://www.googleapis.com/auth/bigquery https://www.googleapis.com/auth/bigquery.readonly "
    "https://www.googleapis.com/auth/userinfo.email openid";

/// @returns the `name` field of a form body, decoded ('+' is a space, %XX a byte).
inline std::optional<std::string> form_field(const std::string& body, std::string_view name) {
  const std::string key = std::string(name) + "=";
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t end = body.find('&', at);
    if (end == std::string::npos) end = body.size();
    if (body.compare(at, key.size(), key) == 0) {
      std::string out;
      for (std::size_t i = at + key.size(); i < end; ++i) {
        if (body[i] == '+') {
          out += ' ';
        } else if (body[i] == '%' && i + 2 < end + 1) {
          out += static_cast<char>(std::stoi(body.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += body[i];
        }
      }
      return out;
    }
    at = end + 1;
  }
  return std::nullopt;
}

/// A token endpoint behind the HttpClient interface: issues "ya29.fake-N" tokens for the scope
/// asked (or every granted scope), answers queued faults first, and can hold answers (to keep a
/// refresh in flight). Revoke requests are answered 200 and counted apart.
class FakeTokenEndpoint final : public HttpClient {
 public:
  explicit FakeTokenEndpoint(boost::asio::any_io_executor ex) : gate_(ex) {}

  boost::asio::awaitable<Result<HttpResponse>> send(HttpRequest request) override {
    if (request.url == kRevokeUri) {
      ++revokes;
      co_return HttpResponse{200, {}, "{}"};
    }
    token_requests.push_back(request);
    if (held_) {
      boost::system::error_code ec;
      co_await gate_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    if (!faults.empty()) {
      auto f = std::move(faults.front());
      faults.pop_front();
      co_return f;
    }
    const std::string scope = form_field(request.body, "scope").value_or(answer_scope);
    nlohmann::json j = {{"access_token", fmt::format("ya29.fake-{}", ++issued)},
                        {"expires_in", expires_in},
                        {"token_type", "Bearer"},
                        {"scope", scope}};
    co_return HttpResponse{200, {{"Content-Type", "application/json"}}, j.dump()};
  }

  void fault(int status, std::string body, HttpHeaders headers = {}) {
    faults.push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  /// Holds every answer until release().
  void hold() {
    held_ = true;
    gate_.expires_at(boost::asio::steady_timer::time_point::max());
  }
  void release() {
    held_ = false;
    gate_.cancel();
  }

  std::vector<HttpRequest> token_requests;
  std::deque<Result<HttpResponse>> faults;
  int revokes = 0;
  int issued = 0;
  int expires_in = 3600;
  std::string answer_scope = std::string(kGranted);

 private:
  bool held_ = false;
  boost::asio::steady_timer gate_;
};

}  // namespace bqb::test
