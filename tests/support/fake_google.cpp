#include "tests/support/fake_google.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>
#include <boost/url/parse.hpp>

#include "daemon/oauth/auth_request.h"
#include "daemon/oauth/pkce.h"
#include "daemon/oauth/scopes.h"
#include "daemon/oauth/token_exchange.h"
#include "proto/login_api.h"
#include "tests/support/binaries.h"

namespace bqb::itest {

using nlohmann::json;

namespace {

/// @returns the first line `fd` delivers before `deadline`, or what came before EOF/timeout.
std::string read_line(int fd, Clock::time_point deadline) {
  std::string line;
  while (line.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) break;
    char buf[512];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  return line;
}

std::string query_value(const std::string& url, std::string_view name) {
  auto u = boost::urls::parse_uri_reference(url);
  if (!u) return {};
  auto it = u->params().find(name);
  return it == u->params().end() ? std::string() : std::string((*it).value);
}

}  // namespace

FakeGoogle::FakeGoogle(Sandbox& sandbox, std::vector<std::string> extra_args)
    : secrets_(sandbox.unique_path("client_secrets", ".json")) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  const auto log = sandbox.unique_path("emulator", ".log");
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (log_fd < 0) throw std::runtime_error("cannot create " + log.string());
  std::vector<std::string> argv{emulator_binary(), "--bigquery", "scripted"};
  argv.insert(argv.end(), {"--client-secrets-out", secrets_.string(), "--exit-with-parent"});
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  child_.emplace(argv, Environment::minimal(), fds[1], log_fd);
  ::close(fds[1]);
  ::close(log_fd);
  // The readiness line: one JSON object, waited for with a deadline.
  const std::string line = read_line(fds[0], Clock::now() + 20s);
  ::close(fds[0]);
  const json ready = json::parse(line, nullptr, false);
  if (!ready.is_object() || !ready.contains("port")) {
    throw std::runtime_error("bqbroker-emulator sent no readiness line: " + line);
  }
  port_ = ready["port"].get<std::uint16_t>();
  base_url_ = ready["base_url"].get<std::string>();
  std::ifstream in(secrets_);
  std::stringstream text;
  text << in.rdbuf();
  client_secrets_json_ = json::parse(text.str(), nullptr, false);
  auto parsed = oauth::parse_client_secrets(text.str(), secrets_.string());
  if (!parsed) throw std::runtime_error(parsed.error().message);
  client_ = *parsed;
}

json FakeGoogle::control(std::string method, std::string path, json body) const {
  auto r = tcp_request(port_, std::move(method), "/_fake" + path,
                       body.is_null() ? std::string() : body.dump());
  if (!r || r->status != 200) {
    ADD_FAILURE() << "bqbroker-emulator /_fake" << path << ": " << (r ? r->body : r.error());
    return json(json::value_t::discarded);
  }
  return r->as_json();
}

void FakeGoogle::consent(std::string mode, std::string email) const {
  control("POST", "/consent", {{"mode", std::move(mode)}, {"email", std::move(email)}});
}

std::string FakeGoogle::authorize(const std::string& auth_url) const {
  auto r = get_url(auth_url);
  if (!r) {
    ADD_FAILURE() << "authorization request: " << r.error();
    return {};
  }
  if (r->status != 302) {
    ADD_FAILURE() << "authorization answered " << r->status << ": " << r->body;
    return {};
  }
  return r->location;
}

std::string FakeGoogle::mint_refresh_token(const std::string& email,
                                           std::string_view scopes) const {
  consent("allow", email);
  auto pkce = oauth::make_pkce();
  auto scope_set = oauth::ScopeSet::parse_space_separated(scopes, "test");
  if (!pkce || !scope_set) {
    ADD_FAILURE() << "bad PKCE or scopes";
    return {};
  }
  const std::string redirect = "http://127.0.0.1:1/";
  oauth::AuthRequest ar{client_.auth_uri,    client_.client_id, redirect,    *scope_set,
                        Secret("state-123"), pkce->challenge,   std::nullopt};
  auto url = oauth::build_auth_url(ar);
  if (!url) {
    ADD_FAILURE() << url.error().message;
    return {};
  }
  const std::string code = query_value(authorize(*url), "code");
  if (code.empty()) {
    ADD_FAILURE() << "no code in the fake's redirect";
    return {};
  }
  auto body =
      oauth::authorization_code_body(client_.client(), Secret(code), redirect, pkce->verifier);
  auto token =
      tcp_request(port_, "POST", "/token", body.reveal(), "application/x-www-form-urlencoded");
  if (!token || token->status != 200) {
    ADD_FAILURE() << "code exchange: " << (token ? token->body : token.error());
    return {};
  }
  return token->as_json().value("refresh_token", "");
}

std::vector<std::string> FakeGoogle::issued_secrets() const {
  std::vector<std::string> out{client_secret()};
  const json t = tokens();  // named: a temporary would die before the loop body
  if (t.is_discarded()) return out;
  for (const auto& r : t.value("refresh_tokens", json::array())) out.push_back(r["refresh_token"]);
  for (const auto& a : t.value("access_tokens", json::array())) out.push_back(a["access_token"]);
  return out;
}

Expected<HttpResponse> daemon_api(const DaemonProcess& d, std::string_view method,
                                  std::string_view target, const json& body) {
  if (body.is_null()) return http_once(d.socket_path(), http_request(method, target), 60s);
  return http_once(d.socket_path(),
                   http_request(method, target, body.dump(), {"Content-Type: application/json"}),
                   60s);
}

Expected<json> login_through_browser(const DaemonProcess& d, const FakeGoogle& fake,
                                     const std::string& email, json body) {
  fake.consent("allow", email);
  if (!body.contains("client_secrets")) body["client_secrets"] = fake.client_secrets_json();
  auto started = daemon_api(d, "POST", "/v1/login", body);
  if (!started) return tl::unexpected("POST /v1/login: " + started.error());
  if (started->status != 201) {
    return tl::unexpected("POST /v1/login answered " + std::to_string(started->status) + ": " +
                          started->body);
  }
  auto login = api::parse_login_started(started->json());
  if (!login) return tl::unexpected("bad login answer: " + started->body);
  const std::string location = fake.authorize(login->auth_url);
  if (location.empty()) return tl::unexpected(std::string("the fake did not redirect"));
  auto page = get_url(location);
  if (!page) return tl::unexpected("loopback listener: " + page.error());
  auto status = daemon_api(d, "GET", "/v1/login/" + login->login_id + "?wait=30");
  if (!status) return tl::unexpected("GET /v1/login: " + status.error());
  const json state = status->json();
  if (state.value("state", "") != "done") {
    return tl::unexpected("the login did not finish: " + status->body);
  }
  return state;
}

}  // namespace bqb::itest
