#pragma once
// The daemon's configuration: what config.toml may say, with the defaults that apply when it
// doesn't. Parsing is pure (text in, Config or Error out); daemon/base/config_file.h reads the
// file. Every key is documented in docs/configuration.md; keep the two in step.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/error.h"

namespace bqb {

/// Where refresh tokens and client secrets are kept (`store`).
enum class StoreKind {
  secret_service,  // the desktop keyring through libsecret (the default)
  file,            // a 0600 file in the state directory; opt-in, warned about at each start
  memory,          // nothing persists; for tests and throwaway use
};

/// @returns the config spelling of `kind`: "secret-service", "file" or "memory".
std::string_view to_string(StoreKind kind);

/// A loopback TCP address to listen on (`[metadata] listen`). `host` is an IP literal without
/// brackets ("127.0.0.1", "::1"); `port` is never 0.
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;

  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

inline constexpr std::string_view kDefaultRevokeUri = "https://oauth2.googleapis.com/revoke";
inline constexpr std::string_view kDefaultTokenUri = "https://oauth2.googleapis.com/token";
inline constexpr std::string_view kDefaultBigQueryEndpoint = "https://bigquery.googleapis.com";

struct OAuthConfig {
  /// The scopes a login asks for; nullopt means the built-in defaults (default_login_scopes()).
  /// Never an empty vector: the parser rejects `scopes = []`.
  std::optional<std::vector<std::string>> scopes;
  std::string revoke_uri{kDefaultRevokeUri};
  /// The token endpoint of accounts imported from ADC files (which name none). Only this file
  /// can change it: an import request may not, so no local program can point an account's
  /// refresh traffic somewhere else.
  std::string token_uri{kDefaultTokenUri};
  /// The loopback redirect listener's port; 0 lets the OS pick one (the default).
  std::uint16_t redirect_port = 0;
  std::chrono::seconds login_timeout{300};
  /// Bound on each request a token refresh sends to the token endpoint (retries get their own).
  std::chrono::seconds request_timeout{15};
};

struct BigQueryConfig {
  /// scheme://host[:port] without a trailing slash or path; the daemon appends /bigquery/v2.
  std::string endpoint{kDefaultBigQueryEndpoint};
  /// Bound on each request to BigQuery beyond the server's long poll (retries get their own).
  std::chrono::seconds request_timeout{60};
};

struct TokensConfig {
  /// An access token is refreshed this long before it expires.
  std::chrono::seconds refresh_margin{300};
};

struct MetadataConfig {
  /// The loopback address of the metadata-server endpoint; nullopt means it is off.
  std::optional<ListenAddress> listen;
  /// The number of `default_project` (digits only), reported by every endpoint as
  /// `project/numeric-project-id` beside that project; nullopt: that key is a 404.
  std::optional<std::string> numeric_project_id;
};

struct TlsConfig {
  /// Extra trusted root certificates (PEM), added to the system's; absolute path.
  std::optional<std::filesystem::path> ca_file;
};

struct ServerConfig {
  /// A connection idle while waiting for a request, or sending one too slowly, is closed.
  std::chrono::seconds request_timeout{30};
  std::size_t max_connections = 4096;
  /// How long SIGTERM waits for in-flight requests before closing them.
  std::chrono::seconds shutdown_grace{10};
};

struct NotificationsConfig {
  /// A desktop notification when an account has needed a new login for `grace`.
  bool enabled = true;
  std::chrono::seconds grace{300};
};

struct Config {
  /// client_secrets.json used when a login doesn't send one; absolute path.
  std::optional<std::filesystem::path> client_secrets;
  StoreKind store = StoreKind::secret_service;
  std::optional<std::string> default_project;
  std::optional<std::string> quota_project;
  /// One of spdlog's level names: trace, debug, info, warn, error, critical, off.
  std::string log_level = "info";
  OAuthConfig oauth;
  BigQueryConfig bigquery;
  TokensConfig tokens;
  MetadataConfig metadata;
  TlsConfig tls;
  ServerConfig server;
  NotificationsConfig notifications;
};

/// Parses config.toml's text. `source` names the file in error messages; when it is an absolute
/// path, relative paths in the file (`client_secrets`, `[tls] ca_file`) are taken relative to its
/// directory, otherwise they are an error. Pure: no file is opened, nothing is looked up.
/// @returns the configuration (defaults for every key the text omits), or config_invalid with a
///          message naming the key (as "table.key"), `source` and the line: a TOML syntax
///          error, an unknown key or table, a value of the wrong type, or one out of range.
Result<Config> parse_config(std::string_view text, std::string_view source);

}  // namespace bqb
