// bqbroker-emulator: Google's OAuth 2.0 endpoints (with an interactive consent page) and
// BigQuery's query API on 127.0.0.1, so that bqbroker runs end to end without a Google account,
// and so that its tests have a Google that checks what Google checks. Wiring only: flags, the
// registered clients, the BigQuery answers (--bigquery: SQLite over the sample dataset, or
// scripted through the /_fake/ control API), the HTTP(S) server, the readiness line. See
// README.md, oauth/fake_google.h for the endpoints and oauth/control_api.cpp for /_fake/.
//
// Readiness: once listening it prints one JSON line to stdout,
//   {"port":N,"base_url":"http://127.0.0.1:N","control_url":"…/_fake","client_secrets":PATH,
//    "bigquery":"sqlite"|"scripted","bigquery_endpoint":"http://127.0.0.1:N","project_id":P,
//    "consent":MODE,"accounts":[…]}
// and writes the port to --port-file. It never logs tokens, codes or secrets; tests read issued
// tokens from GET /_fake/tokens.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <sys/prctl.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "fakes/bigquery/fake_bigquery.h"
#include "fakes/oauth/fake_google.h"
#include "fakes/server/google_routes.h"
#include "fakes/server/http_server.h"
#include "fakes/server/write_file.h"
#include "fakes/sqlite/sample_sql.h"
#include "fakes/sqlite/sqlite_executor.h"

namespace {

using namespace bqb::fakes;
namespace fs = std::filesystem;

constexpr std::string_view kSqlite = "sqlite";
constexpr std::string_view kScripted = "scripted";

/// The command line. Empty strings and lists take their --bigquery mode's default
/// (apply_mode_defaults), so that each mode keeps the defaults its users rely on.
struct Flags {
  std::string bigquery = std::string(kSqlite);
  std::uint16_t port = 0;
  std::string port_file;
  std::string client_secrets_out;
  std::string clients_file;
  std::string client_id;
  std::string project_id;
  std::string consent;
  std::vector<std::string> accounts;
  std::vector<std::string> sql_files;
  std::string public_host = "127.0.0.1";
  std::string tls_cert;
  std::string tls_key;
  std::int64_t expires_in = 3599;
  std::int64_t clock_offset = 0;
  bool exit_with_parent = false;
  bool quiet = false;
};

/// The demo (sqlite) defaults: a consent page with two accounts to pick from, the sample's
/// project. The tests' (scripted) defaults: one account that consents at once.
void apply_mode_defaults(Flags& f) {
  const bool scripted = f.bigquery == kScripted;
  if (f.client_id.empty()) {
    f.client_id = scripted ? "1234567890-fake.apps.googleusercontent.com"
                           : "bqbroker-emulator.apps.googleusercontent.com";
  }
  if (f.project_id.empty()) f.project_id = scripted ? "fake-project" : "bqbroker-demo";
  if (f.consent.empty()) f.consent = scripted ? "allow" : "interactive";
  if (f.accounts.empty()) {
    f.accounts = scripted ? std::vector<std::string>{"user@example.com"}
                          : std::vector<std::string>{"alice@example.com", "bob@example.com"};
  }
}

void log_line(const std::string& text) {
  std::fprintf(stderr, "bqbroker-emulator: %s\n", text.c_str());
  std::fflush(stderr);
}

bqb::Result<std::string> read_text(const std::string& file, std::string_view flag) {
  std::ifstream in(file);
  if (!in) return bqb::fail(bqb::Errc::io_error, fmt::format("cannot read {} file {}", flag, file));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// @returns the --clients file's clients, or one generated from --client-id and --project-id.
bqb::Result<std::vector<Client>> load_clients(const Flags& f) {
  if (f.clients_file.empty())
    return std::vector<Client>{generate_client(f.client_id, f.project_id)};
  BQB_TRY(text, read_text(f.clients_file, "--clients"));
  BQB_TRY(clients, parse_clients(text, f.clients_file));
  if (clients.empty()) {
    return bqb::fail(bqb::Errc::invalid_json, "field 'clients' in " + f.clients_file + " is empty");
  }
  return clients;
}

/// @returns the SQLite executor over the sample followed by each --sql file.
bqb::Result<std::unique_ptr<sqlite::SqliteExecutor>> open_sqlite(const Flags& f) {
  std::string sql(sqlite::sample_sql());
  for (const auto& file : f.sql_files) {
    BQB_TRY(text, read_text(file, "--sql"));
    sql += "\n" + text;
  }
  return sqlite::SqliteExecutor::open(
      sql, f.sql_files.empty() ? "the sample dataset" : "the sample dataset and --sql files");
}

/// A private directory for the default client_secrets.json, removed on exit.
struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

/// Points f.client_secrets_out into a new private directory `temp` when it is not set.
bqb::Status default_client_secrets_out(Flags& f, TempDir& temp) {
  if (!f.client_secrets_out.empty()) return {};
  std::string pattern = (fs::temp_directory_path() / "bqbroker-emulator.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return bqb::fail(bqb::Errc::io_error,
                     "cannot create a private directory for client_secrets.json under " +
                         fs::temp_directory_path().string());
  }
  temp.path = pattern;
  f.client_secrets_out = (temp.path / "client_secrets.json").string();
  return {};
}

void configure_google(FakeGoogle& google, const Flags& f, std::vector<Client> clients) {
  for (auto& c : clients) google.clients().put(std::move(c));
  ConsentMode& consent = google.consent();
  consent.kind = f.consent == "allow"  ? ConsentMode::Kind::allow
                 : f.consent == "deny" ? ConsentMode::Kind::deny
                                       : ConsentMode::Kind::interactive;
  consent.email = f.accounts.front();
  consent.accounts = f.accounts;
  google.settings().expires_in = f.expires_in;
}

nlohmann::json ready_line(const Flags& f, std::uint16_t port, const std::string& base_url) {
  return {{"port", port},
          {"base_url", base_url},
          {"control_url", base_url + "/_fake"},
          {"client_secrets", f.client_secrets_out},
          {"bigquery", f.bigquery},
          {"bigquery_endpoint", base_url},
          {"project_id", f.project_id},
          {"consent", f.consent},
          {"accounts", f.accounts}};
}

/// Serves until SIGINT or SIGTERM. @returns the exit code: 2 when it could not start.
int serve(Flags& f, std::vector<Client> clients,
          std::unique_ptr<bigquery::QueryExecutor> executor) {
  boost::asio::io_context io;
  std::optional<FakeGoogle> google;
  bigquery::FakeBigQuery bq(live_token_scopes(google));
  if (executor) bq.set_executor(std::move(executor));
  const Handler handler = google_and_bigquery(google, bq);
  const AccessLog access_log = f.quiet ? AccessLog() : access_log_to(log_line);
  auto server =
      HttpServer::start(io,
                        ServerOptions{.port = f.port,
                                      .tls_cert_file = f.tls_cert,
                                      .tls_key_file = f.tls_key,
                                      .clock_offset = std::chrono::seconds(f.clock_offset)},
                        handler, access_log, log_line);
  if (!server) {
    log_line(server.error().message);
    return 2;
  }
  const std::uint16_t port = (*server)->port();
  const std::string scheme = (*server)->tls() ? "https" : "http";
  const std::string base_url = fmt::format("{}://{}:{}", scheme, f.public_host, port);

  google.emplace(base_url);
  configure_google(*google, f, std::move(clients));
  auto written = write_startup_files(google->clients().all().front(), base_url,
                                     f.client_secrets_out, f.port_file, port);
  if (!written) {
    log_line(written.error().message);
    return 2;
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) io.stop();
  });
  std::cout << ready_line(f, port, base_url).dump() << std::endl;
  log_line(
      fmt::format("listening on {} (BigQuery: {}, consent: {})", base_url, f.bigquery, f.consent));
  io.run();
  log_line("stopped");
  return 0;
}

int run(Flags f) {
  if (f.exit_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  apply_mode_defaults(f);
  auto clients = load_clients(f);
  if (!clients) {
    log_line(clients.error().message);
    return 2;
  }
  std::unique_ptr<bigquery::QueryExecutor> executor;  // none: scripted answers only
  if (f.bigquery == kSqlite) {
    auto opened = open_sqlite(f);
    if (!opened) {
      log_line(opened.error().message);
      return 2;
    }
    executor = std::move(*opened);
  }
  TempDir temp;
  if (auto made = default_client_secrets_out(f, temp); !made) {
    log_line(made.error().message);
    return 2;
  }
  return serve(f, std::move(*clients), std::move(executor));
}

void add_flags(CLI::App& app, Flags& f) {
  app.add_option("--bigquery", f.bigquery,
                 "how BigQuery answers: sqlite runs the SQL on SQLite over the sample dataset "
                 "(and --sql files); scripted answers what tests set through /_fake/ (and "
                 "SELECT 1). Also picks the defaults written sqlite's | scripted's below")
      ->check(CLI::IsMember({std::string(kSqlite), std::string(kScripted)}))
      ->capture_default_str();
  app.add_option("--port", f.port, "TCP port on 127.0.0.1 (0: the OS picks)");
  app.add_option("--port-file", f.port_file, "write the bound port here once listening");
  app.add_option("--client-secrets-out", f.client_secrets_out,
                 "write the first client's client_secrets.json here (mode 0600); default: a "
                 "private temporary directory, removed on exit");
  app.add_option("--clients", f.clients_file,
                 "JSON file {\"clients\":[{\"client_id\",\"client_secret\",\"project_id\"?}]}; "
                 "default: one client with --client-id and a random secret")
      ->check(CLI::ExistingFile);
  app.add_option("--client-id", f.client_id,
                 "id of the generated client (default: "
                 "bqbroker-emulator.apps.googleusercontent.com | "
                 "1234567890-fake.apps.googleusercontent.com)");
  app.add_option("--project-id", f.project_id,
                 "project_id of the generated client (default: bqbroker-demo | fake-project)");
  app.add_option("--consent", f.consent,
                 "interactive: a consent page with an account picker and Allow/Deny; allow, deny: "
                 "answered at once as the first --account (default: interactive | allow)")
      ->check(CLI::IsMember({"interactive", "allow", "deny"}));
  app.add_option("--account", f.accounts,
                 "an account that can consent, the first by default (repeatable; default: "
                 "alice@example.com and bob@example.com | user@example.com)");
  app.add_option("--sql", f.sql_files,
                 "another SQL script to load after the sample (repeatable; --bigquery sqlite "
                 "only; see README.md)")
      ->check(CLI::ExistingFile);
  app.add_option("--public-host", f.public_host,
                 "host name in the URLs handed out (it listens on 127.0.0.1 only)")
      ->capture_default_str();
  app.add_option("--tls-cert", f.tls_cert, "PEM certificate chain: serve HTTPS")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", f.tls_key, "PEM private key for --tls-cert")
      ->check(CLI::ExistingFile);
  app.add_option("--expires-in", f.expires_in, "access token lifetime in seconds")
      ->check(CLI::Range(1, 86400 * 365))
      ->capture_default_str();
  app.add_option("--clock-offset", f.clock_offset,
                 "seconds added to the clock of every response's Date header (a server whose "
                 "clock is off)")
      ->check(CLI::Range(-86400 * 365, 86400 * 365))
      ->capture_default_str();
  app.add_flag("--exit-with-parent", f.exit_with_parent, "exit when the parent process dies");
  app.add_flag("--quiet", f.quiet, "no access log on stderr");
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{
      "bqbroker-emulator: Google's OAuth endpoints and BigQuery's query API on 127.0.0.1, so\n"
      "that bqbroker works without a Google account (queries run on SQLite over a sample\n"
      "dataset, `bqbroker-demo.samples.names`, …) and its tests have a Google to talk to\n"
      "(--bigquery scripted). Prints one JSON line when listening. Defaults written a | b are\n"
      "--bigquery sqlite's | scripted's."};
  add_flags(app, f);
  try {
    app.parse(argc, argv);
    if (f.bigquery == kScripted && !f.sql_files.empty()) {
      throw CLI::ValidationError("--sql", "needs --bigquery sqlite (scripted answers run no SQL)");
    }
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    return run(std::move(f));
  } catch (const std::exception& e) {
    log_line(std::string("fatal: ") + e.what());
    return 1;
  }
}
