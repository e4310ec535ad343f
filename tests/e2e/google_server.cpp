#include "tests/e2e/google_server.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <stdexcept>

#include "tests/support/log_check.h"
#include "tests/support/tcp_http.h"

// Set by tests/e2e/CMakeLists.txt: the path of the built bqbroker-emulator.
#ifndef BQB_E2E_GOOGLE_BINARY
#error "BQB_E2E_GOOGLE_BINARY must be defined by the build"
#endif

namespace bqb::e2e {
namespace {

using itest::Clock;
using nlohmann::json;
using namespace std::chrono_literals;

/// @returns the first line `fd` delivers before `deadline`, or what came before EOF/timeout.
std::string read_line(int fd, Clock::time_point deadline) {
  std::string line;
  while (line.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, itest::remaining_ms(deadline)) <= 0) break;
    char buf[512];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  return line;
}

std::string_view consent_flag(Consent consent) {
  switch (consent) {
    case Consent::interactive:
      return "interactive";
    case Consent::allow:
      return "allow";
    case Consent::deny:
      return "deny";
  }
  return "allow";
}

}  // namespace

std::string GoogleServer::binary() { return BQB_E2E_GOOGLE_BINARY; }

GoogleServer::GoogleServer(itest::Sandbox& sandbox, Consent consent,
                           std::vector<std::string> accounts)
    : secrets_(sandbox.unique_path("client_secrets", ".json")),
      log_(sandbox.unique_path("google", ".log")),
      accounts_(std::move(accounts)) {
  if (accounts_.empty()) throw std::invalid_argument("GoogleServer needs an account");
  // SQLite answers BigQuery (the default, said here so that the tests' choice is visible).
  std::vector<std::string> argv{binary(), "--bigquery", "sqlite"};
  argv.insert(argv.end(), {"--client-secrets-out", secrets_.string(), "--consent",
                           std::string(consent_flag(consent))});
  for (const auto& account : accounts_) argv.insert(argv.end(), {"--account", account});
  argv.push_back("--exit-with-parent");  // no server outlives a crashed test

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  const int log_fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (log_fd < 0) throw std::runtime_error("cannot create " + log_.string());
  child_.emplace(argv, itest::Environment::minimal(), fds[1], log_fd);
  ::close(fds[1]);
  ::close(log_fd);
  const std::string line = read_line(fds[0], Clock::now() + 20s);
  ::close(fds[0]);
  const json ready = json::parse(line, nullptr, false);
  if (!ready.is_object() || !ready.contains("base_url") || !ready["base_url"].is_string()) {
    throw std::runtime_error(binary() + " sent no readiness line (got \"" + line +
                             "\"); its log:\n" + itest::read_file(log_));
  }
  base_url_ = ready["base_url"].get<std::string>();
  // base_url is http://127.0.0.1:PORT (the emulator listens on loopback only).
  const auto colon = base_url_.rfind(':');
  port_ = static_cast<std::uint16_t>(std::stoi(base_url_.substr(colon + 1)));
  if (ready.contains("client_secrets") && ready["client_secrets"].is_string()) {
    secrets_ = ready["client_secrets"].get<std::string>();
  }
}

std::optional<json> GoogleServer::control(const std::string& method, const std::string& path,
                                          const json& body) const {
  auto r = itest::tcp_request(port_, method, "/_fake" + path,
                              body.is_null() ? std::string() : body.dump());
  if (!r || r->status != 200) return std::nullopt;
  json j = r->as_json();
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::optional<json> GoogleServer::tokeninfo(const std::string& access_token) const {
  auto r = itest::tcp_request(port_, "GET", "/tokeninfo?access_token=" + access_token);
  if (!r || r->status != 200) return std::nullopt;
  json j = r->as_json();
  if (j.is_discarded()) return std::nullopt;
  return j;
}

}  // namespace bqb::e2e
