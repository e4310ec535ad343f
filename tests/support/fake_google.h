#pragma once
// The fake Google (bqbroker-emulator --bigquery scripted, fakes/) as a child process of a test,
// plus what tests do with it: drive its control API, play the consenting user, mint refresh
// tokens directly, log an account into a daemon the way a browser would, and list every secret
// it issued for the log checks.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/oauth/client_secrets.h"
#include "tests/support/daemon_process.h"
#include "tests/support/process.h"
#include "tests/support/sandbox.h"
#include "tests/support/tcp_http.h"

namespace bqb::itest {

/// Default scopes tests mint refresh tokens with (space separated).
inline constexpr std::string_view kFakeScopes =
    "openid https://www.googleapis.com/auth/userinfo.email "
    "https://www.googleapis.com/auth/bigquery";

class FakeGoogle {
 public:
  /// Starts the emulator with scripted BigQuery answers, writing its client_secrets.json into
  /// `sandbox`, with `extra_args` (e.g. --expires-in 120), and waits for its readiness line.
  /// Throws when it does not come up.
  explicit FakeGoogle(Sandbox& sandbox, std::vector<std::string> extra_args = {});

  std::uint16_t port() const { return port_; }
  const std::string& base_url() const { return base_url_; }
  const std::filesystem::path& client_secrets_file() const { return secrets_; }
  /// The file's JSON object, as the CLI sends it in POST /v1/login.
  const nlohmann::json& client_secrets_json() const { return client_secrets_json_; }
  const oauth::ClientSecrets& client() const { return client_; }
  std::string client_secret() const { return client_.client_secret.reveal(); }

  /// A control API call (/_fake/…). @returns the JSON answer; a failed call fails the test and
  /// returns a discarded value.
  nlohmann::json control(std::string method, std::string path, nlohmann::json body = nullptr) const;
  /// How the "user" answers the consent screen from now on ("allow" or "deny"), as `email`.
  void consent(std::string mode, std::string email = "user@example.com") const;

  /// Plays the user at the consent screen. @returns the fake's 302 Location: the redirect_uri
  /// with state and code (or error); "" (and a test failure) when there was none.
  std::string authorize(const std::string& auth_url) const;

  /// Plays the browser and the code exchange without a daemon. @returns a fresh refresh token
  /// for `email`, granted `scopes` (space separated); "" with a test failure when it failed.
  std::string mint_refresh_token(const std::string& email,
                                 std::string_view scopes = kFakeScopes) const;

  /// @returns the fake's record of every token it issued (GET /_fake/tokens).
  nlohmann::json tokens() const { return control("GET", "/tokens"); }
  /// @returns the client secret and every token the fake issued, for log_free_of.
  std::vector<std::string> issued_secrets() const;

 private:
  std::filesystem::path secrets_;
  std::optional<Child> child_;
  std::uint16_t port_ = 0;
  std::string base_url_;
  nlohmann::json client_secrets_json_;
  oauth::ClientSecrets client_;
};

/// Logs `email` into daemon `d` the way a user does: POST /v1/login with the fake's
/// client_secrets (plus the fields of `body`), consent at the fake, follow its redirect to the
/// daemon's loopback listener, wait for the flow to end. @returns the final LoginStatus JSON, or
/// why the login did not finish.
Expected<nlohmann::json> login_through_browser(const DaemonProcess& d, const FakeGoogle& fake,
                                               const std::string& email,
                                               nlohmann::json body = nlohmann::json::object());

/// A request to the daemon's socket API with an optional JSON body.
Expected<HttpResponse> daemon_api(const DaemonProcess& d, std::string_view method,
                                  std::string_view target, const nlohmann::json& body = nullptr);

}  // namespace bqb::itest
