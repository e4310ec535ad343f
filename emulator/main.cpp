// bqbroker-emulator: Google's OAuth 2.0 endpoints (with an interactive consent page) and
// BigQuery's query API on 127.0.0.1, with queries run on SQLite over the sample dataset, so that
// bqbroker runs end to end without a Google account. Wiring only: the fakes' logic
// (tests/fakes/oauth, tests/fakes/bigquery), the SQLite executor, flags. See README.md.
//
// Readiness: once listening it prints one JSON line to stdout,
//   {"port":N,"base_url":"http://127.0.0.1:N","control_url":"…/_fake","client_secrets":PATH,
//    "bigquery_endpoint":"http://127.0.0.1:N","project_id":P,"consent":MODE,"accounts":[…]}
// and writes the port to --port-file. It never logs tokens, codes or secrets.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
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

#include "emulator/sample_sql.h"
#include "emulator/sqlite_executor.h"
#include "tests/fakes/bigquery/fake_bigquery.h"
#include "tests/fakes/oauth/fake_google.h"
#include "tests/fakes/server/google_routes.h"
#include "tests/fakes/server/http_server.h"
#include "tests/fakes/server/write_file.h"

namespace {

using namespace bqb::fakes;
namespace fs = std::filesystem;

struct Flags {
  std::uint16_t port = 0;
  std::string port_file;
  std::string client_secrets_out;
  std::string client_id = "bqbroker-emulator.apps.googleusercontent.com";
  std::string project_id = "bqbroker-demo";
  std::string consent = "interactive";
  std::vector<std::string> accounts;
  std::vector<std::string> sql_files;
  std::int64_t expires_in = 3599;
  bool exit_with_parent = false;
  bool quiet = false;
};

void log_line(const std::string& text) {
  std::fprintf(stderr, "bqbroker-emulator: %s\n", text.c_str());
  std::fflush(stderr);
}

/// @returns the sample's SQL followed by each --sql file's.
bqb::Result<std::string> dataset_sql(const Flags& f) {
  std::string sql(bqb::emulator::sample_sql());
  for (const auto& file : f.sql_files) {
    std::ifstream in(file);
    if (!in) return bqb::fail(bqb::Errc::io_error, "cannot read --sql file " + file);
    std::stringstream text;
    text << in.rdbuf();
    sql += "\n" + text.str();
  }
  return sql;
}

/// A private directory for the default client_secrets.json, removed on exit.
struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

int run(Flags f) {
  if (f.exit_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (f.accounts.empty()) f.accounts = {"alice@example.com", "bob@example.com"};

  auto sql = dataset_sql(f);
  if (!sql) {
    log_line(sql.error().message);
    return 2;
  }
  auto executor = bqb::emulator::SqliteExecutor::open(
      *sql, f.sql_files.empty() ? "the sample dataset" : "the sample dataset and --sql files");
  if (!executor) {
    log_line(executor.error().message);
    return 2;
  }

  TempDir temp;
  if (f.client_secrets_out.empty()) {
    std::string pattern = (fs::temp_directory_path() / "bqbroker-emulator.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      log_line("cannot create a private directory for client_secrets.json under " +
               fs::temp_directory_path().string());
      return 2;
    }
    temp.path = pattern;
    f.client_secrets_out = (temp.path / "client_secrets.json").string();
  }

  boost::asio::io_context io;
  std::optional<FakeGoogle> google;
  bigquery::FakeBigQuery bq(live_token_scopes(google));
  bq.set_executor(std::move(*executor));
  const Handler handler = google_and_bigquery(google, bq);
  const AccessLog access_log = f.quiet ? AccessLog() : access_log_to(log_line);
  auto server = HttpServer::start(io, ServerOptions{f.port, {}, {}}, handler, access_log);
  if (!server) {
    log_line(server.error().message);
    return 2;
  }
  const std::uint16_t port = (*server)->port();
  const std::string base_url = fmt::format("http://127.0.0.1:{}", port);

  google.emplace(base_url);
  google->clients().put(generate_client(f.client_id, f.project_id));
  ConsentMode& consent = google->consent();
  consent.kind = f.consent == "allow"  ? ConsentMode::Kind::allow
                 : f.consent == "deny" ? ConsentMode::Kind::deny
                                       : ConsentMode::Kind::interactive;
  consent.email = f.accounts.front();
  consent.accounts = f.accounts;
  google->settings().expires_in = f.expires_in;

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

  const nlohmann::json ready = {{"port", port},
                                {"base_url", base_url},
                                {"control_url", base_url + "/_fake"},
                                {"client_secrets", f.client_secrets_out},
                                {"bigquery_endpoint", base_url},
                                {"project_id", f.project_id},
                                {"consent", f.consent},
                                {"accounts", f.accounts}};
  std::cout << ready.dump() << std::endl;
  log_line("listening on " + base_url + " (consent: " + f.consent + ")");
  io.run();
  log_line("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{
      "bqbroker-emulator: Google's OAuth endpoints and BigQuery's query API on 127.0.0.1, with\n"
      "queries run on SQLite over a sample dataset (`bqbroker-demo.samples.names`, …), so that\n"
      "bqbroker works without a Google account. Prints one JSON line when listening."};
  app.add_option("--port", f.port, "TCP port on 127.0.0.1 (0: the OS picks)");
  app.add_option("--port-file", f.port_file, "write the bound port here once listening");
  app.add_option("--client-secrets-out", f.client_secrets_out,
                 "write the matching client_secrets.json here (mode 0600); default: a private "
                 "temporary directory, removed on exit");
  app.add_option("--client-id", f.client_id, "the OAuth client's id");
  app.add_option("--project-id", f.project_id, "the client's project_id");
  app.add_option("--consent", f.consent,
                 "interactive: a consent page with an account picker and Allow/Deny; allow, deny: "
                 "answered at once (as the first --account)")
      ->check(CLI::IsMember({"interactive", "allow", "deny"}));
  app.add_option("--account", f.accounts,
                 "an account of the picker (repeatable; default alice@example.com and "
                 "bob@example.com)");
  app.add_option("--sql", f.sql_files,
                 "another SQL script to load after the sample (repeatable; see README.md)")
      ->check(CLI::ExistingFile);
  app.add_option("--expires-in", f.expires_in, "access token lifetime in seconds")
      ->check(CLI::Range(1, 86400 * 365));
  app.add_flag("--exit-with-parent", f.exit_with_parent, "exit when the parent process dies");
  app.add_flag("--quiet", f.quiet, "no access log on stderr");
  try {
    app.parse(argc, argv);
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
