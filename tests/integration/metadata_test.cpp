// Metadata-server endpoints with the real bqbrokerd and the Google fake: a session opened over the
// socket API serves the account's token to plain HTTP and to Node's unmodified
// google-auth-library, closes on DELETE and when the process that opened it exits; the
// `[metadata] listen` endpoint serves the default account; an AF_INET6 client (the JVM's kind)
// reaching it through ::ffff:127.0.0.1 is served; another uid's connection is closed unanswered.

#include <poll.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;

constexpr std::string_view kAlice = "alice@example.com";
constexpr std::string_view kReadOnly = "https://www.googleapis.com/auth/bigquery.readonly";
constexpr std::string_view kTokenPath =
    "/computeMetadata/v1/instance/service-accounts/default/token";

std::string config_for(const FakeGoogle& fake, std::string_view extra = "") {
  return fmt::format(
      "store = \"memory\"\nlog_level = \"debug\"\n\n[oauth]\nrevoke_uri = \"{}/revoke\"\n{}",
      fake.base_url(), extra);
}

std::uint16_t port_of(const std::string& host) {
  return static_cast<std::uint16_t>(std::stoi(host.substr(host.rfind(':') + 1)));
}

Expected<TcpAnswer> metadata_get(std::uint16_t port, std::string target) {
  TcpRequest r;
  r.target = std::move(target);
  r.headers = {{"Metadata-Flavor", "Google"}};
  return tcp_request(port, r);
}

bool connectable(std::uint16_t port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({boost::asio::ip::address_v4::loopback(), port}, ec);
  return !ec;
}

/// @returns true when the kernel holds a TIME_WAIT connection on 127.0.0.1:`port` as its
/// local address: the side that closed first was the listener's.
bool time_wait_on(std::uint16_t port) {
  std::ifstream in("/proc/net/tcp");
  const std::string local = fmt::format("0100007F:{:04X}", port);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local_address, remote_address, state;
    fields >> slot >> local_address >> remote_address >> state;
    if (local_address == local && state == "06") return true;
  }
  return false;
}

class MetadataTest : public ::testing::Test {
 protected:
  void start(std::string config) {
    daemon_.emplace(sandbox_, DaemonOptions().with_config(std::move(config)));
    ASSERT_TRUE(daemon_->wait_ready());
    auto login = login_through_browser(*daemon_, fake_, std::string(kAlice));
    ASSERT_TRUE(login) << login.error();
  }
  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(log_free_of(daemon_->log(), fake_.issued_secrets()));
    }
  }

  /// POST /v1/metadata-sessions from this test process (so the session lives until DELETE).
  json open_session(json body) {
    auto r = daemon_api(*daemon_, "POST", "/v1/metadata-sessions", body);
    if (!r) {
      ADD_FAILURE() << r.error();
      return json::object();
    }
    EXPECT_EQ(r->status, 201) << *r;
    return r->json();
  }

  /// @returns the scope string the Google fake's tokeninfo reports for `token` ("" when invalid).
  std::string tokeninfo_scope(const std::string& token) {
    auto info = tcp_request(fake_.port(), "GET", "/tokeninfo?access_token=" + token);
    if (!info || info->status != 200) return "";
    return info->as_json().value("scope", "");
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  std::optional<DaemonProcess> daemon_;
};

TEST_F(MetadataTest, SessionServesANarrowTokenAndClosesOnDelete) {
  start(config_for(fake_));
  json s = open_session({{"scopes", {"bigquery.readonly"}}});
  EXPECT_EQ(s["account"], kAlice);
  EXPECT_EQ(s["scopes"], json::array({kReadOnly}));
  const std::string host = s.value("host", "");
  ASSERT_EQ(host.rfind("127.0.0.1:", 0), 0u) << s;
  const auto port = port_of(host);

  auto token = metadata_get(port, std::string(kTokenPath));
  ASSERT_TRUE(token) << token.error();
  ASSERT_EQ(token->status, 200) << token->body;
  json j = token->as_json();
  ASSERT_TRUE(j["expires_in"].is_number_integer()) << j;
  EXPECT_EQ(j["token_type"], "Bearer");
  // A real token from Google (the fake), limited to the session's scope.
  EXPECT_EQ(tokeninfo_scope(j["access_token"]), kReadOnly);

  auto wider = metadata_get(
      port, fmt::format("{}?scopes=https://www.googleapis.com/auth/bigquery", kTokenPath));
  ASSERT_TRUE(wider);
  EXPECT_EQ(wider->status, 403) << wider->body;

  auto info =
      metadata_get(port, "/computeMetadata/v1/instance/service-accounts/default/?recursive=true");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->as_json()["email"], kAlice) << info->body;

  auto del =
      daemon_api(*daemon_, "DELETE", "/v1/metadata-sessions/" + s["session_id"].get<std::string>());
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 204) << *del;
  EXPECT_FALSE(connectable(port));
}

// The JVM and .NET open AF_INET6 sockets: connecting to 127.0.0.1 they connect to ::ffff:127.0.0.1,
// and the kernel lists their socket in /proc/net/tcp6 (inet_diag family AF_INET6) while the
// daemon's accepted socket sees a plain IPv4 peer. The owner lookup must still find it.
TEST_F(MetadataTest, AnIpv6SocketThroughTheV4MappedAddressGetsAToken) {
  start(config_for(fake_));
  json s = open_session({{"scopes", {"bigquery.readonly"}}});
  const std::string host = s.value("host", "");
  ASSERT_EQ(host.rfind("127.0.0.1:", 0), 0u) << s;
  TcpRequest request;
  request.address = "::ffff:127.0.0.1";
  request.target = std::string(kTokenPath);
  request.headers = {{"Metadata-Flavor", "Google"}};
  auto token = tcp_request(port_of(host), request);
  ASSERT_TRUE(token) << "this test requires IPv6 (an AF_INET6 socket connecting to "
                        "::ffff:127.0.0.1): "
                     << token.error();
  ASSERT_EQ(token->status, 200) << token->body;
  EXPECT_EQ(tokeninfo_scope(token->as_json().value("access_token", "")), kReadOnly) << token->body;
}

TEST_F(MetadataTest, PostTimeErrorsNameTheProblem) {
  start(config_for(fake_));
  auto r =
      daemon_api(*daemon_, "POST", "/v1/metadata-sessions", json{{"scopes", {"cloud-platform"}}});
  ASSERT_TRUE(r);
  EXPECT_TRUE(is_api_error(*r, 403, "scope_not_granted")) << *r;
  r = daemon_api(*daemon_, "POST", "/v1/metadata-sessions", json{{"account", "bob@example.com"}});
  ASSERT_TRUE(r);
  EXPECT_TRUE(is_api_error(*r, 404, "not_found")) << *r;
}

TEST_F(MetadataTest, SessionClosesWhenItsOpenerExits) {
  start(config_for(fake_));
  // curl opens the session and exits at once, as a killed `bqbroker exec` would.
  auto r = run_process(
      {"curl", "-sS", "--max-time", "10", "--unix-socket", daemon_->socket_path().string(), "-X",
       "POST", "-d", "{}", "http://localhost/v1/metadata-sessions"},
      sandbox_.env());
  ASSERT_TRUE(r.status.success()) << r;
  json s = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(s.contains("host")) << r;
  EXPECT_TRUE(daemon_->wait_for_log({"process " + std::to_string(r.pid) + " exited; closing"}));
  EXPECT_FALSE(connectable(port_of(s["host"])));
}

TEST_F(MetadataTest, ListenEndpointServesTheDefaultAccount) {
  const auto port = free_port();
  start(config_for(fake_, fmt::format("\n[metadata]\nlisten = \"127.0.0.1:{}\"\n", port)));
  auto email = metadata_get(port, "/computeMetadata/v1/instance/service-accounts/default/email");
  ASSERT_TRUE(email) << email.error();
  EXPECT_EQ(email->status, 200);
  EXPECT_EQ(email->body, kAlice);
  auto token = metadata_get(port, std::string(kTokenPath));
  ASSERT_TRUE(token);
  ASSERT_EQ(token->status, 200) << token->body;
  EXPECT_FALSE(tokeninfo_scope(token->as_json()["access_token"]).empty());
  auto project = metadata_get(port, "/computeMetadata/v1/project/project-id");
  ASSERT_TRUE(project);
  EXPECT_EQ(project->status, 200);
  EXPECT_EQ(project->body, "fake-project");
}

// A restart (systemctl --user restart, an upgrade) right after the endpoint served a request:
// the closed connection's TIME_WAIT on the fixed port must not stop the new daemon's bind.
TEST_F(MetadataTest, RestartsOnItsFixedPortRightAfterServingARequest) {
  const auto port = free_port();
  const auto config =
      config_for(fake_, fmt::format("\n[metadata]\nlisten = \"127.0.0.1:{}\"\n", port));
  start(config);
  // Read to EOF before closing, so that the daemon's close (Connection: close) comes first.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket client(io);
  client.connect({boost::asio::ip::address_v4::loopback(), port});
  boost::asio::write(client, boost::asio::buffer(std::string(
                                 "GET /computeMetadata/v1/instance/service-accounts/default/email "
                                 "HTTP/1.1\r\nHost: 127.0.0.1\r\nMetadata-Flavor: Google\r\n"
                                 "Connection: close\r\n\r\n")));
  std::string answer;
  boost::system::error_code read_ec;
  boost::asio::read(client, boost::asio::dynamic_buffer(answer), read_ec);
  ASSERT_EQ(read_ec, boost::asio::error::eof) << read_ec.message();
  ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  client.close();
  // The daemon closed first, so its end of the connection now waits in TIME_WAIT on the port:
  // the condition that made a listener without SO_REUSEADDR fail to bind.
  const auto deadline = Clock::now() + 10s;
  while (!time_wait_on(port) && Clock::now() < deadline) ::poll(nullptr, 0, 10);
  ASSERT_TRUE(time_wait_on(port)) << "no TIME_WAIT connection on port " << port;
  ASSERT_EQ(daemon_->stop(), ExitStatus::exited_with(0)) << daemon_->log();

  daemon_.emplace(sandbox_, DaemonOptions().with_config(config));
  ASSERT_TRUE(daemon_->wait_ready());
  EXPECT_TRUE(daemon_->wait_for_log({"metadata endpoint", fmt::format("127.0.0.1:{}", port)}));
  auto again = metadata_get(port, "/computeMetadata/v1/project/project-id");
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->status, 200) << again->body;
}

// SO_REUSEADDR does not let two listeners share a port: a port another program listens on is
// still refused, with the error that says so.
TEST_F(MetadataTest, AFixedPortHeldByALiveListenerIsRefusedAsInUse) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor holder(io);
  holder.open(boost::asio::ip::tcp::v4());
  holder.set_option(boost::asio::socket_base::reuse_address(true));
  holder.bind({boost::asio::ip::address_v4::loopback(), 0});
  holder.listen();
  const auto port = holder.local_endpoint().port();
  DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(
                                fake_, fmt::format("\n[metadata]\nlisten = \"127.0.0.1:{}\"\n", port))));
  EXPECT_EQ(d.wait_exit(), ExitStatus::exited_with(1)) << d.log();
  EXPECT_NE(d.log().find(fmt::format("cannot open the metadata endpoint on 127.0.0.1:{}: the port is in use", port)),
            std::string::npos)
      << d.log();
}

TEST_F(MetadataTest, AnotherUidIsClosedUnansweredAndLogged) {
  TestUsers users;
  ASSERT_TRUE(find_test_users(users));
  start(config_for(fake_));
  json s = open_session(json::object());
  const std::string host = s.value("host", "");
  auto r = run_process(as_user(users.b, {"curl", "-sS", "--max-time", "10", "-H",
                                         "Metadata-Flavor: Google", "--write-out", "\n%{http_code}",
                                         fmt::format("http://{}{}", host, kTokenPath)}),
                       sandbox_.env());
  // Closed at once without an answer, not even a 403: curl reports an empty reply or a reset.
  EXPECT_FALSE(r.status.success()) << r;
  EXPECT_EQ(r.out.substr(r.out.rfind('\n') + 1), "000") << r;
  EXPECT_EQ(r.out.find("access_token"), std::string::npos) << r;
  EXPECT_TRUE(
      daemon_->wait_for_log({"refused connection from uid=" + std::to_string(users.b.uid)}));
}

TEST_F(MetadataTest, NodeGoogleAuthLibraryGetsTheTokenThroughTheSession) {
  const std::string node_dir = BQB_NODE_TESTS_DIR;
  ASSERT_TRUE(std::filesystem::exists(node_dir + "/node_modules/google-auth-library"))
      << "run `npm ci` in " << node_dir << " (scripts/test.sh does)";
  start(config_for(fake_));
  json s = open_session({{"scopes", {"bigquery.readonly"}}, {"project", "node-project"}});
  const std::string host = s.value("host", "");
  auto env = sandbox_.env();
  env.set("GCE_METADATA_HOST", host);
  env.set("GCE_METADATA_IP", host);
  env.set("METADATA_SERVER_DETECTION", "assume-present");
  env.unset("GOOGLE_APPLICATION_CREDENTIALS");
  env.unset("GOOGLE_CLOUD_PROJECT");
  auto r = run_process({"node", node_dir + "/metadata_token.mjs"}, env);
  ASSERT_TRUE(r.status.success()) << r;
  json out = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r;
  EXPECT_EQ(tokeninfo_scope(out.value("token", "")), kReadOnly) << r;
  EXPECT_EQ(out["project"], "node-project") << r;
  EXPECT_EQ(out["email"], kAlice) << r;
}

bool is_etag(const std::string& tag) {
  return tag.size() == 16 && tag.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// What Google's libraries probe and read, answered as GCE answers it (docs/metadata-endpoint.md
// has the table): the exact listings, GCE's Server header and an ETag on every 200, ?alt=, and
// the 404s that tell clients to use googleapis.com and that no project number is known.
TEST_F(MetadataTest, ASessionAnswersAsGceDoes) {
  start(config_for(fake_));
  json s = open_session({{"scopes", {"bigquery.readonly"}}, {"project", "session-project"}});
  const auto port = port_of(s.value("host", ""));

  auto root = metadata_get(port, "/");
  ASSERT_TRUE(root) << root.error();
  EXPECT_EQ(root->status, 200);
  EXPECT_EQ(root->body, "computeMetadata/\n");
  EXPECT_EQ(root->headers["content-type"], "application/text");
  EXPECT_EQ(root->headers["metadata-flavor"], "Google");
  EXPECT_EQ(root->headers["server"], "Metadata Server for VM");
  EXPECT_TRUE(is_etag(root->headers["etag"])) << root->headers["etag"];

  auto v1 = metadata_get(port, "/computeMetadata/v1/");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->body, "instance/\nproject/\n");
  EXPECT_NE(v1->headers["etag"], root->headers["etag"]) << "the ETag does not follow the content";
  auto again = metadata_get(port, "/computeMetadata/v1/");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->headers["etag"], v1->headers["etag"]) << "the ETag of one content changed";

  auto universe = metadata_get(port, "/computeMetadata/v1/universe/universe-domain");
  ASSERT_TRUE(universe);
  EXPECT_EQ(universe->status, 404) << universe->body;
  EXPECT_EQ(universe->headers["server"], "Metadata Server for VM");
  EXPECT_EQ(universe->headers.count("etag"), 0u);
  auto number = metadata_get(port, "/computeMetadata/v1/project/numeric-project-id");
  ASSERT_TRUE(number);
  EXPECT_EQ(number->status, 404);
  EXPECT_NE(number->body.find("numeric_project_id"), std::string::npos) << number->body;

  auto email =
      metadata_get(port, "/computeMetadata/v1/instance/service-accounts/default/email?alt=json");
  ASSERT_TRUE(email);
  EXPECT_EQ(email->headers["content-type"], "application/json");
  EXPECT_EQ(email->as_json(), json(std::string(kAlice))) << email->body;
  auto info = metadata_get(
      port, "/computeMetadata/v1/instance/service-accounts/default/?recursive=true&alt=text");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->body, fmt::format("aliases default\nemail {}\nscopes {}\n", kAlice, kReadOnly));
  // Java's ComputeEngineCredentials.getAccount() reads this.
  auto accounts =
      metadata_get(port, "/computeMetadata/v1/instance/service-accounts/?recursive=true");
  ASSERT_TRUE(accounts);
  EXPECT_EQ(accounts->headers["content-type"], "application/json");
  EXPECT_EQ(accounts->as_json()["default"]["email"], kAlice) << accounts->body;
  EXPECT_EQ(accounts->as_json()[std::string(kAlice)]["scopes"], json::array({kReadOnly}))
      << accounts->body;
  auto token = metadata_get(port, std::string(kTokenPath) + "?alt=text");
  ASSERT_TRUE(token);
  ASSERT_EQ(token->status, 200) << token->body;
  EXPECT_EQ(token->headers["content-type"], "application/text");
  ASSERT_EQ(token->body.rfind("access_token ", 0), 0u) << token->status;
  const std::string access_token =
      token->body.substr(13, token->body.find('\n') - 13);  // after "access_token "
  EXPECT_EQ(tokeninfo_scope(access_token), kReadOnly);
  EXPECT_NE(token->body.find("\ntoken_type Bearer\n"), std::string::npos);
  auto bad = metadata_get(port, "/computeMetadata/v1/project/project-id?alt=xml");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << bad->body;
}

TEST_F(MetadataTest, TheProjectNumberComesFromTheConfigBesideItsProjectOnly) {
  const auto port = free_port();
  start(config_for(fake_, fmt::format("\n[metadata]\nlisten = \"127.0.0.1:{}\"\n"
                                      "numeric_project_id = \"123456789012\"\n",
                                      port))
            .insert(0, "default_project = \"cfg-project\"\n"));
  auto number = metadata_get(port, "/computeMetadata/v1/project/numeric-project-id");
  ASSERT_TRUE(number) << number.error();
  EXPECT_EQ(number->status, 200) << number->body;
  EXPECT_EQ(number->body, "123456789012");
  auto listing = metadata_get(port, "/computeMetadata/v1/project/");
  ASSERT_TRUE(listing);
  EXPECT_EQ(listing->body, "numeric-project-id\nproject-id\n");
  // A session for another project: the configured number is not that project's.
  json s = open_session({{"project", "other-project"}});
  auto other =
      metadata_get(port_of(s.value("host", "")), "/computeMetadata/v1/project/numeric-project-id");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404) << other->body;
}

TEST_F(MetadataTest, AProjectNumberThatIsNotDigitsStopsTheStart) {
  DaemonProcess d(sandbox_, DaemonOptions().with_config(
                                config_for(fake_, "\n[metadata]\nnumeric_project_id = \"12-34\"\n")
                                    .insert(0, "default_project = \"p\"\n")));
  EXPECT_EQ(d.wait_exit(), ExitStatus::exited_with(1)) << d.log();
  EXPECT_NE(d.log().find("'12-34' is not a project number"), std::string::npos) << d.log();
}

// The [metadata] listen endpoint follows the default account: a held wait_for_change request
// answers when it changes, and holds until its timeout while nothing does.
TEST_F(MetadataTest, WaitForChangeHoldsUntilTheDefaultAccountChanges) {
  const auto port = free_port();
  start(config_for(fake_, fmt::format("\n[metadata]\nlisten = \"127.0.0.1:{}\"\n", port)));
  const std::string email_path = "/computeMetadata/v1/instance/service-accounts/default/email";
  auto first = metadata_get(port, email_path);
  ASSERT_TRUE(first) << first.error();
  const std::string etag = first->headers["etag"];
  ASSERT_TRUE(is_etag(etag)) << etag;

  // Another ETag: at once. The same: held until timeout_sec, then the unchanged value.
  auto other =
      metadata_get(port, email_path + "?wait_for_change=true&timeout_sec=3600&last_etag=x");
  ASSERT_TRUE(other) << other.error();
  EXPECT_EQ(other->body, kAlice);
  const auto start_hold = Clock::now();
  auto held =
      metadata_get(port, email_path + "?wait_for_change=true&timeout_sec=1&last_etag=" + etag);
  ASSERT_TRUE(held) << held.error();
  EXPECT_GE(Clock::now() - start_hold, 1s) << "answered before timeout_sec without a change";
  EXPECT_EQ(held->status, 200);
  EXPECT_EQ(held->body, kAlice);
  EXPECT_EQ(held->headers["etag"], etag);

  // Held for up to an hour (the request's own timeout is 60 s): only the change ends it.
  std::optional<Expected<TcpAnswer>> changed;
  std::thread waiter([&] {
    TcpRequest r;
    r.target = email_path + "?wait_for_change=true&last_etag=" + etag;
    r.headers = {{"Metadata-Flavor", "Google"}};
    r.timeout = 60s;
    changed = tcp_request(port, r);
  });
  auto bob = login_through_browser(*daemon_, fake_, "bob@example.com");
  auto made_default =
      daemon_api(*daemon_, "PUT", "/v1/accounts/default", json{{"email", "bob@example.com"}});
  waiter.join();
  ASSERT_TRUE(bob) << bob.error();
  ASSERT_TRUE(made_default);
  EXPECT_EQ(made_default->status, 200) << *made_default;
  ASSERT_TRUE(changed && *changed) << (changed ? changed->error() : "no answer");
  EXPECT_EQ((*changed)->status, 200);
  EXPECT_EQ((*changed)->body, "bob@example.com");
  EXPECT_NE((*changed)->headers["etag"], etag);
}

}  // namespace
}  // namespace bqb::itest
