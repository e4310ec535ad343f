#pragma once
// The fake's view of one HTTP exchange, free of any socket type, so that every endpoint is a pure
// function of (request, state, now) that unit tests call directly. The Beast server in
// fakes/server/ converts to and from these.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/oauth/oauth_error.h"

namespace bqb::fakes {

using Clock = std::chrono::system_clock;

struct FakeRequest {
  std::string method;        // "GET", "POST", …
  std::string target;        // origin-form: path plus optional "?query"
  std::string content_type;  // the Content-Type header, as sent (may carry parameters)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers = {};  // names lower-cased
};

/// @returns the value of the first header named `lower_name` (lower case), "" when absent.
std::string_view header_value(const FakeRequest& req, std::string_view lower_name);

/// How long a "hang" fault holds its answer: longer than any client's timeout in the tests.
inline constexpr std::chrono::milliseconds kHang = std::chrono::hours(1);

struct FakeResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Location, …)
  std::chrono::milliseconds delay{0};  // the server waits this long before answering
  bool close_without_answer = false;   // the server drops the connection instead of answering
  bool cut_mid_body = false;  // the server sends the headers and half the body, then drops it
};

/// @returns a response with `body` serialized as JSON.
FakeResponse json_response(int status, const nlohmann::json& body);
/// @returns Google's JSON error answer for `e`, with the no-store headers the token endpoint sends.
FakeResponse oauth_error_response(const OAuthError& e);

}  // namespace bqb::fakes
