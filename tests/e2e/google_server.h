#pragma once
// "Google" for the end-to-end tests: bqbroker-emulator (fakes/) with BigQuery on SQLite over its
// sample dataset, started as a child of the test. It prints one JSON readiness line
// ({"base_url","client_secrets",…}) and writes a client_secrets.json for itself.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"
#include "tests/support/sandbox.h"

namespace bqb::e2e {

/// How the server answers the authorization page.
enum class Consent {
  /// A page with an account picker and Allow/Deny for a browser to answer.
  interactive,
  /// Redirects at once with a code for the first account, as if the user clicked Allow.
  allow,
  /// Redirects at once with error=access_denied.
  deny,
};

class GoogleServer {
 public:
  /// Starts the server with `accounts` (the first is the default) writing its client_secrets.json
  /// into `sandbox`, and waits (bounded) for its readiness line. Throws when it does not come up.
  GoogleServer(itest::Sandbox& sandbox, Consent consent, std::vector<std::string> accounts);

  /// The path of the built bqbroker-emulator.
  static std::string binary();

  std::uint16_t port() const { return port_; }
  const std::string& base_url() const { return base_url_; }
  const std::filesystem::path& client_secrets_file() const { return secrets_; }
  const std::filesystem::path& log_file() const { return log_; }
  const std::vector<std::string>& accounts() const { return accounts_; }

  /// Control API call (/_fake/…). @returns the JSON answer, or nullopt when the call failed.
  std::optional<nlohmann::json> control(const std::string& method, const std::string& path,
                                        const nlohmann::json& body = nullptr) const;
  /// @returns GET /tokeninfo for `access_token`: 200's JSON, or nullopt when the token is not
  /// live there.
  std::optional<nlohmann::json> tokeninfo(const std::string& access_token) const;

 private:
  std::filesystem::path secrets_;
  std::filesystem::path log_;
  std::optional<itest::Child> child_;
  std::vector<std::string> accounts_;
  std::uint16_t port_ = 0;
  std::string base_url_;
};

}  // namespace bqb::e2e
