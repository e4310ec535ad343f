// fake-google: a local fake of Google's OAuth 2.0 endpoints and of BigQuery's query API
// (bigquery/fake_bigquery.h) for bqbroker's tests. Wiring only:
// flags, the registered clients, the HTTP(S) server, the readiness line. See oauth/fake_google.h
// for the endpoints and oauth/control_api.cpp for the /_fake/ control API.
//
// Readiness: once listening it prints one JSON line to stdout,
//   {"port":N,"base_url":"http://127.0.0.1:N","control_url":"…/_fake","client_secrets":PATH|null}
// and writes the port to --port-file. It never logs tokens, codes or secrets; tests read issued
// tokens from GET /_fake/tokens.

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <sys/prctl.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "tests/fakes/bigquery/fake_bigquery.h"
#include "tests/fakes/oauth/fake_google.h"
#include "tests/fakes/server/google_routes.h"
#include "tests/fakes/server/http_server.h"
#include "tests/fakes/server/write_file.h"

namespace {

using namespace bqb::fakes;

struct Flags {
  std::uint16_t port = 0;
  std::string clients_file;
  std::string client_id = "1234567890-fake.apps.googleusercontent.com";
  std::string project_id = "fake-project";
  std::string client_secrets_out;
  std::string port_file;
  std::string public_host = "127.0.0.1";
  std::string tls_cert;
  std::string tls_key;
  std::string consent = "allow";
  std::string account = "user@example.com";
  std::int64_t expires_in = 3599;
  bool exit_with_parent = false;
  bool quiet = false;
};

void log_line(const std::string& text) {
  std::fprintf(stderr, "fake-google: %s\n", text.c_str());
  std::fflush(stderr);
}

bqb::Result<std::vector<Client>> load_clients(const Flags& f) {
  if (f.clients_file.empty())
    return std::vector<Client>{generate_client(f.client_id, f.project_id)};
  std::ifstream in(f.clients_file);
  if (!in) return bqb::fail(bqb::Errc::io_error, "cannot read --clients file " + f.clients_file);
  std::stringstream text;
  text << in.rdbuf();
  BQB_TRY(clients, parse_clients(text.str(), f.clients_file));
  if (clients.empty()) {
    return bqb::fail(bqb::Errc::invalid_json, "field 'clients' in " + f.clients_file + " is empty");
  }
  return clients;
}

int run(const Flags& f) {
  if (f.exit_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  auto clients = load_clients(f);
  if (!clients) {
    log_line(clients.error().message);
    return 2;
  }

  boost::asio::io_context io;
  std::optional<FakeGoogle> fake;
  bigquery::FakeBigQuery bq(live_token_scopes(fake));
  ServerOptions options{f.port, f.tls_cert, f.tls_key};
  const Handler handler = google_and_bigquery(fake, bq);
  const AccessLog access_log = f.quiet ? AccessLog() : access_log_to(log_line);
  auto server = HttpServer::start(io, options, handler, access_log);
  if (!server) {
    log_line(server.error().message);
    return 2;
  }
  const std::uint16_t port = (*server)->port();
  const std::string scheme = (*server)->tls() ? "https" : "http";
  const std::string base_url = fmt::format("{}://{}:{}", scheme, f.public_host, port);

  fake.emplace(base_url);
  for (auto& c : *clients) fake->clients().put(std::move(c));
  fake->consent().kind = f.consent == "deny"          ? ConsentMode::Kind::deny
                         : f.consent == "interactive" ? ConsentMode::Kind::interactive
                                                      : ConsentMode::Kind::allow;
  fake->consent().email = f.account;
  fake->settings().expires_in = f.expires_in;

  auto written = write_startup_files(fake->clients().all().front(), base_url, f.client_secrets_out,
                                     f.port_file, port);
  if (!written) {
    log_line(written.error().message);
    return 2;
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) io.stop();
  });

  nlohmann::json ready = {
      {"port", port},
      {"base_url", base_url},
      {"control_url", base_url + "/_fake"},
      {"client_secrets",
       f.client_secrets_out.empty() ? nlohmann::json() : nlohmann::json(f.client_secrets_out)}};
  std::cout << ready.dump() << std::endl;
  log_line("listening on " + base_url);
  io.run();
  log_line("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"fake-google: a local fake of Google's OAuth 2.0 endpoints, for tests"};
  app.add_option("--port", f.port, "TCP port on 127.0.0.1 (0: the OS picks)");
  app.add_option("--clients", f.clients_file,
                 "JSON file {\"clients\":[{\"client_id\",\"client_secret\",\"project_id\"?}]}; "
                 "default: one client with --client-id and a random secret")
      ->check(CLI::ExistingFile);
  app.add_option("--client-id", f.client_id, "id of the generated client");
  app.add_option("--project-id", f.project_id, "project_id of the generated client");
  app.add_option("--client-secrets-out", f.client_secrets_out,
                 "write the first client's client_secrets.json here (mode 0600)");
  app.add_option("--port-file", f.port_file, "write the bound port here once listening");
  app.add_option("--public-host", f.public_host,
                 "host name in the URLs the fake hands out (it listens on 127.0.0.1 only)");
  app.add_option("--tls-cert", f.tls_cert, "PEM certificate chain: serve HTTPS")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", f.tls_key, "PEM private key for --tls-cert")
      ->check(CLI::ExistingFile);
  app.add_option("--consent", f.consent,
                 "initial consent answer (interactive: a consent page for a person or a browser)")
      ->check(CLI::IsMember({"allow", "deny", "interactive"}));
  app.add_option("--account", f.account, "the account that consents");
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
    return run(f);
  } catch (const std::exception& e) {
    log_line(std::string("fatal: ") + e.what());
    return 1;
  }
}
