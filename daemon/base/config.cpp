#include "daemon/base/config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <boost/url.hpp>

#include "daemon/base/ascii.h"

namespace bqb {
namespace {

namespace urls = boost::urls;

constexpr std::string_view kDocsHint =
    "see docs/configuration.md for every key, its type and range";

// Every key config.toml may hold, as "table.key". A table is any prefix before a dot. Adding a
// key means: here, a read in parse_config below, the Config field, and docs/configuration.md.
constexpr std::array<std::string_view, 22> kKnownKeys{
    "client_secrets",
    "store",
    "default_project",
    "quota_project",
    "log_level",
    "oauth.scopes",
    "oauth.revoke_uri",
    "oauth.token_uri",
    "oauth.redirect_port",
    "oauth.login_timeout_seconds",
    "oauth.request_timeout_seconds",
    "bigquery.endpoint",
    "bigquery.request_timeout_seconds",
    "tokens.refresh_margin_seconds",
    "metadata.listen",
    "metadata.numeric_project_id",
    "tls.ca_file",
    "server.request_timeout_seconds",
    "server.max_connections",
    "server.shutdown_grace_seconds",
    "notifications.enabled",
    "notifications.grace_seconds",
};

constexpr std::array<std::string_view, 7> kLogLevels{"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};

bool is_known_key(std::string_view key) {
  return std::find(kKnownKeys.begin(), kKnownKeys.end(), key) != kKnownKeys.end();
}

bool is_known_table(std::string_view name) {
  return std::any_of(kKnownKeys.begin(), kKnownKeys.end(), [&](std::string_view k) {
    return k.size() > name.size() && k.starts_with(name) && k[name.size()] == '.';
  });
}

/// @returns the known key whose last segment is `leaf`, to suggest for a key in the wrong table.
std::optional<std::string_view> known_key_named(std::string_view leaf) {
  for (std::string_view k : kKnownKeys) {
    auto dot = k.rfind('.');
    std::string_view last = dot == std::string_view::npos ? k : k.substr(dot + 1);
    if (last == leaf) return k;
  }
  return std::nullopt;
}

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

/// Builds the errors of one parse, all naming the source file and the line.
class Errors {
 public:
  explicit Errors(std::string_view source) : source_(source) {}

  tl::unexpected<Error> syntax(const toml::parse_error& e) const {
    return fail(Errc::config_invalid,
                fmt::format("TOML syntax error in {} line {} column {}: {}", source_,
                            e.source().begin.line, e.source().begin.column, e.description()),
                "see https://toml.io for the file format");
  }

  tl::unexpected<Error> unknown(std::string_view key, const toml::node& value,
                                const toml::source_region& at) const {
    auto leaf = key.substr(key.rfind('.') == std::string_view::npos ? 0 : key.rfind('.') + 1);
    auto suggestion = known_key_named(leaf);
    return fail(Errc::config_invalid,
                fmt::format("unknown {} '{}' in {} line {}", value.is_table() ? "table" : "key",
                            key, source_, at.begin.line),
                suggestion ? fmt::format("did you mean '{}'? ({})", *suggestion, kDocsHint)
                           : std::string(kDocsHint));
  }

  tl::unexpected<Error> wrong_type(std::string_view key, const toml::node& value,
                                   std::string_view expected) const {
    return fail(Errc::config_invalid,
                fmt::format("wrong type for '{}' in {} line {}: expected {}, got {}", key, source_,
                            value.source().begin.line, expected, type_name(value.type())),
                std::string(kDocsHint));
  }

  tl::unexpected<Error> invalid(std::string_view key, const toml::node& value,
                                std::string_view detail) const {
    return fail(Errc::config_invalid,
                fmt::format("invalid value for '{}' in {} line {}: {}", key, source_,
                            value.source().begin.line, detail),
                std::string(kDocsHint));
  }

 private:
  std::string_view source_;
};

/// Rejects any key or table of `root` that kKnownKeys does not list, and a known table given as
/// another type. Keys whose own name contains a dot ("a.b" = 1, quoted) are never known.
Status check_known_keys(const toml::table& root, const Errors& err) {
  for (auto&& [k, v] : root) {
    std::string_view name = k.str();
    if (name.find('.') == std::string_view::npos && is_known_key(name)) continue;
    if (name.find('.') != std::string_view::npos || !is_known_table(name)) {
      return err.unknown(name, v, k.source());
    }
    const toml::table* table = v.as_table();
    if (table == nullptr) return err.wrong_type(name, v, "a table");
    for (auto&& [ck, cv] : *table) {
      std::string full = fmt::format("{}.{}", name, ck.str());
      if (ck.str().find('.') != std::string_view::npos || !is_known_key(full)) {
        return err.unknown(full, cv, ck.source());
      }
    }
  }
  return {};
}

/// @returns the node at "key" or "table.key", or nullptr when the file doesn't set it.
const toml::node* find(const toml::table& root, std::string_view key) {
  auto dot = key.find('.');
  if (dot == std::string_view::npos) return root.get(key);
  const toml::table* table = root.get_as<toml::table>(key.substr(0, dot));
  return table == nullptr ? nullptr : table->get(key.substr(dot + 1));
}

/// Typed access to the keys of one parsed file. Each getter returns nullopt for an absent key.
class Reader {
 public:
  Reader(const toml::table& root, const Errors& err) : root_(root), err_(err) {}

  const Errors& errors() const { return err_; }
  const toml::node* node(std::string_view key) const { return find(root_, key); }

  /// @returns the non-empty string at `key`.
  Result<std::optional<std::string>> string(std::string_view key) const {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    const auto* s = n->as_string();
    if (s == nullptr) return err_.wrong_type(key, *n, "a string");
    if (s->get().empty()) return err_.invalid(key, *n, "must not be empty");
    return s->get();
  }

  /// @returns the integer at `key`, which must lie in [min, max].
  Result<std::optional<std::int64_t>> integer(std::string_view key, std::int64_t min,
                                              std::int64_t max) const {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    const auto* i = n->as_integer();
    if (i == nullptr) return err_.wrong_type(key, *n, "an integer");
    if (i->get() < min || i->get() > max) {
      return err_.invalid(key, *n,
                          fmt::format("must be between {} and {}, got {}", min, max, i->get()));
    }
    return i->get();
  }

  /// @returns the boolean at `key`.
  Result<std::optional<bool>> boolean(std::string_view key) const {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    const auto* b = n->as_boolean();
    if (b == nullptr) return err_.wrong_type(key, *n, "a boolean (true or false)");
    return b->get();
  }

  /// @returns the string at `key`, which must be one of `choices`.
  template <std::size_t N>
  Result<std::optional<std::string>> choice(std::string_view key,
                                            const std::array<std::string_view, N>& choices) const {
    BQB_TRY(s, string(key));
    if (!s) return std::nullopt;
    if (std::find(choices.begin(), choices.end(), *s) == choices.end()) {
      return err_.invalid(key, *node(key),
                          fmt::format("'{}' is not one of {}", *s,
                                      fmt::join(choices.begin(), choices.end(), ", ")));
    }
    return s;
  }

 private:
  const toml::table& root_;
  const Errors& err_;
};

bool has_space_or_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
}

/// A path key: absolute, or relative to `base` (the config file's directory) when there is one.
Result<std::optional<std::filesystem::path>> read_path(const Reader& r, std::string_view key,
                                                       const std::filesystem::path& base) {
  BQB_TRY(s, r.string(key));
  if (!s) return std::nullopt;
  if (s->front() == '~') {
    return r.errors().invalid(key, *r.node(key), "'~' is not expanded here: write the full path");
  }
  std::filesystem::path p(*s);
  if (p.is_relative()) {
    if (base.empty()) {
      return r.errors().invalid(key, *r.node(key),
                                fmt::format("'{}' must be an absolute path", *s));
    }
    p = base / p;
  }
  return p.lexically_normal();
}

/// A project id key: Google's ids have no spaces; this catches a pasted display name or a typo.
Result<std::optional<std::string>> read_project(const Reader& r, std::string_view key) {
  BQB_TRY(s, r.string(key));
  if (s && has_space_or_control(*s)) {
    return r.errors().invalid(key, *r.node(key),
                              fmt::format("'{}' is not a project id (it contains spaces)", *s));
  }
  return s;
}

bool is_loopback_host(const urls::url_view& u) {
  switch (u.host_type()) {
    case urls::host_type::ipv4:
      return u.host_ipv4_address().is_loopback();
    case urls::host_type::ipv6:
      return u.host_ipv6_address().is_loopback();
    case urls::host_type::name: {
      return ascii_iequals(u.host(), "localhost");
    }
    default:
      return false;
  }
}

/// The checks every URL key shares: http(s), a host, no user info, no fragment, and plain http
/// only to loopback (anything else would send tokens in the clear).
/// @returns a description of what is wrong, or empty when `u` passes.
std::string url_problem(const urls::url_view& u) {
  if (u.scheme_id() != urls::scheme::https && u.scheme_id() != urls::scheme::http) {
    return "must be an http:// or https:// URL";
  }
  if (!u.has_authority() || u.host().empty()) return "must name a host";
  if (u.has_userinfo()) return "must not contain user info";
  if (u.has_fragment()) return "must not have a #fragment";
  if (u.scheme_id() == urls::scheme::http && !is_loopback_host(u)) {
    return "plain http is allowed only to loopback (127.0.0.1, [::1], localhost): use https";
  }
  return {};
}

Result<std::optional<std::string>> read_url(const Reader& r, std::string_view key) {
  BQB_TRY(s, r.string(key));
  if (!s) return std::nullopt;
  auto u = urls::parse_uri(*s);
  if (!u) return r.errors().invalid(key, *r.node(key), fmt::format("'{}' is not a URL", *s));
  if (auto problem = url_problem(*u); !problem.empty()) {
    return r.errors().invalid(key, *r.node(key), fmt::format("'{}' {}", *s, problem));
  }
  return s;
}

/// `[bigquery] endpoint`: scheme://host[:port] only, since the daemon appends /bigquery/v2.
/// A lone trailing slash is dropped rather than refused.
Result<std::optional<std::string>> read_endpoint(const Reader& r, std::string_view key) {
  BQB_TRY(s, read_url(r, key));
  if (!s) return std::nullopt;
  urls::url_view u = *urls::parse_uri(*s);
  if ((!u.path().empty() && u.path() != "/") || u.has_query()) {
    return r.errors().invalid(
        key, *r.node(key),
        fmt::format("'{}' must be scheme://host[:port] without a path or query (the daemon "
                    "appends /bigquery/v2)",
                    *s));
  }
  if (s->ends_with('/')) s->pop_back();
  return s;
}

/// `[metadata] listen`: "IP:PORT" on loopback; a name like "localhost" is refused because what
/// it resolves to is not the file's to decide.
Result<std::optional<ListenAddress>> read_listen(const Reader& r, std::string_view key) {
  BQB_TRY(s, r.string(key));
  if (!s) return std::nullopt;
  const toml::node& n = *r.node(key);
  auto a = urls::parse_authority(*s);
  if (!a || a->has_userinfo() || !a->has_port() ||
      (a->host_type() != urls::host_type::ipv4 && a->host_type() != urls::host_type::ipv6 &&
       a->host_type() != urls::host_type::name)) {
    return r.errors().invalid(
        key, n, fmt::format("'{}' must be IP:PORT, like 127.0.0.1:8181 or [::1]:8181", *s));
  }
  ListenAddress out;
  if (a->host_type() == urls::host_type::ipv4 && a->host_ipv4_address().is_loopback()) {
    out.host = a->host_ipv4_address().to_string();
  } else if (a->host_type() == urls::host_type::ipv6 && a->host_ipv6_address().is_loopback()) {
    out.host = a->host_ipv6_address().to_string();
  } else {
    return r.errors().invalid(
        key, n,
        fmt::format("'{}' must be a loopback IP address (127.0.0.0/8 or [::1]): the metadata "
                    "endpoint serves tokens to whoever connects",
                    *s));
  }
  std::string_view port = a->port();
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535) {
    return r.errors().invalid(key, n, fmt::format("'{}' must have a port between 1 and 65535", *s));
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

/// `[metadata] numeric_project_id`: the number of `default_project`, 1 to 19 digits (so that it
/// fits the JSON number GCE sends); a string, as an identifier rather than a quantity. Only beside
/// `default_project`: a number without its project would be reported for whatever project an
/// endpoint serves.
Result<std::optional<std::string>> read_project_number(const Reader& r, std::string_view key,
                                                       const std::optional<std::string>& project) {
  BQB_TRY(s, r.string(key));
  if (!s) return std::nullopt;
  const toml::node& n = *r.node(key);
  if (s->empty() || s->size() > 19 ||
      !std::all_of(s->begin(), s->end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return r.errors().invalid(
        key, n,
        fmt::format("'{}' is not a project number: 1 to 19 digits, like \"123456789012\"", *s));
  }
  if (!project) {
    return r.errors().invalid(key, n,
                              "needs default_project: it is that project's number, reported "
                              "only beside it");
  }
  return s;
}

Result<std::optional<std::vector<std::string>>> read_scopes(const Reader& r, std::string_view key) {
  const toml::node* n = r.node(key);
  if (n == nullptr) return std::nullopt;
  const toml::array* a = n->as_array();
  if (a == nullptr) return r.errors().wrong_type(key, *n, "an array of strings");
  if (a->empty()) {
    return r.errors().invalid(key, *n,
                              "must not be empty (leave the key out for the built-in defaults)");
  }
  std::vector<std::string> scopes;
  for (const toml::node& item : *a) {
    const auto* s = item.as_string();
    if (s == nullptr) return r.errors().wrong_type(key, item, "an array of strings");
    if (s->get().empty() || has_space_or_control(s->get())) {
      return r.errors().invalid(key, item,
                                fmt::format("'{}' is not a scope (one scope per string, no "
                                            "spaces)",
                                            s->get()));
    }
    scopes.push_back(s->get());
  }
  return scopes;
}

std::chrono::seconds seconds(std::int64_t v) { return std::chrono::seconds(v); }

Result<Config> read_config(const Reader& r, const std::filesystem::path& base) {
  Config c;
  BQB_TRY(client_secrets, read_path(r, "client_secrets", base));
  c.client_secrets = std::move(client_secrets);
  BQB_TRY(store,
          r.choice("store", std::array<std::string_view, 3>{"secret-service", "file", "memory"}));
  if (store == "file") c.store = StoreKind::file;
  if (store == "memory") c.store = StoreKind::memory;
  BQB_TRY(default_project, read_project(r, "default_project"));
  c.default_project = std::move(default_project);
  BQB_TRY(quota_project, read_project(r, "quota_project"));
  c.quota_project = std::move(quota_project);
  BQB_TRY(log_level, r.choice("log_level", kLogLevels));
  if (log_level) c.log_level = *log_level;

  BQB_TRY(scopes, read_scopes(r, "oauth.scopes"));
  c.oauth.scopes = std::move(scopes);
  BQB_TRY(revoke_uri, read_url(r, "oauth.revoke_uri"));
  if (revoke_uri) c.oauth.revoke_uri = *revoke_uri;
  BQB_TRY(token_uri, read_url(r, "oauth.token_uri"));
  if (token_uri) c.oauth.token_uri = *token_uri;
  BQB_TRY(redirect_port, r.integer("oauth.redirect_port", 0, 65535));
  if (redirect_port) c.oauth.redirect_port = static_cast<std::uint16_t>(*redirect_port);
  BQB_TRY(login_timeout, r.integer("oauth.login_timeout_seconds", 10, 3600));
  if (login_timeout) c.oauth.login_timeout = seconds(*login_timeout);
  BQB_TRY(token_timeout, r.integer("oauth.request_timeout_seconds", 1, 300));
  if (token_timeout) c.oauth.request_timeout = seconds(*token_timeout);

  BQB_TRY(endpoint, read_endpoint(r, "bigquery.endpoint"));
  if (endpoint) c.bigquery.endpoint = *endpoint;
  BQB_TRY(bigquery_timeout, r.integer("bigquery.request_timeout_seconds", 1, 600));
  if (bigquery_timeout) c.bigquery.request_timeout = seconds(*bigquery_timeout);
  // Google's access tokens live 3600 s; a margin beyond half of that would refresh constantly.
  BQB_TRY(margin, r.integer("tokens.refresh_margin_seconds", 0, 1800));
  if (margin) c.tokens.refresh_margin = seconds(*margin);
  BQB_TRY(listen, read_listen(r, "metadata.listen"));
  c.metadata.listen = std::move(listen);
  BQB_TRY(number, read_project_number(r, "metadata.numeric_project_id", c.default_project));
  c.metadata.numeric_project_id = std::move(number);
  BQB_TRY(ca_file, read_path(r, "tls.ca_file", base));
  c.tls.ca_file = std::move(ca_file);

  BQB_TRY(request_timeout, r.integer("server.request_timeout_seconds", 1, 3600));
  if (request_timeout) c.server.request_timeout = seconds(*request_timeout);
  // 2^20 is Linux's default ceiling for open files (fs.nr_open); more could never be served.
  BQB_TRY(max_connections, r.integer("server.max_connections", 1, 1 << 20));
  if (max_connections) c.server.max_connections = static_cast<std::size_t>(*max_connections);
  BQB_TRY(grace, r.integer("server.shutdown_grace_seconds", 0, 600));
  if (grace) c.server.shutdown_grace = seconds(*grace);

  BQB_TRY(notify, r.boolean("notifications.enabled"));
  if (notify) c.notifications.enabled = *notify;
  // A day at most: a reminder later than that would come after the work it should save.
  BQB_TRY(notify_grace, r.integer("notifications.grace_seconds", 0, 86400));
  if (notify_grace) c.notifications.grace = seconds(*notify_grace);
  return c;
}

}  // namespace

std::string_view to_string(StoreKind kind) {
  switch (kind) {
    case StoreKind::secret_service:
      return "secret-service";
    case StoreKind::file:
      return "file";
    case StoreKind::memory:
      return "memory";
  }
  return "secret-service";
}

Result<Config> parse_config(std::string_view text, std::string_view source) {
  Errors err(source);
  toml::table root;
  // Debian's libtomlplusplus is built with exceptions, so TOML_EXCEPTIONS=0 would not link:
  // the parse error is caught here, at the boundary, and becomes a value.
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return err.syntax(e);
  }
  if (auto known = check_known_keys(root, err); !known) return tl::unexpected(known.error());
  std::filesystem::path src(source);
  return read_config(Reader(root, err), src.is_absolute() ? src.parent_path() : "");
}

}  // namespace bqb
