// Another local user cannot fill the slots of the daemon's loopback TCP listeners (a metadata
// endpoint, the login redirect listener): bqb-test-b opens many connections to each and sends a
// request on every one; the daemon closes them all without an answer, logs the refusals at most
// once a second per listener (saying how many it did not log), and its own user still gets a
// token from the metadata endpoint and completes a login through the redirect listener.
// The test runs as root to run the flood as bqb-test-b and fails, not skips, when it cannot.

#include <chrono>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kTokenPath =
    "/computeMetadata/v1/instance/service-accounts/default/token";

/// What bqbit-connection-flood reports.
struct Flood {
  std::size_t connected = 0, answered = 0, closed = 0, open = 0;
};

/// Runs bqbit-connection-flood as `user` against 127.0.0.1:`port`. @returns its counts, or its
/// output when it did not run to the end.
Expected<Flood> flood_as(const TestUser& user, std::uint16_t port, int count,
                         std::string_view target, const Environment& env) {
  auto r = run_process(as_user(user, {connection_flood_binary(), std::to_string(port),
                                      std::to_string(count), std::string(target)}),
                       env, 60s);
  std::ostringstream why;
  why << r;
  if (!r.status.success()) return tl::unexpected(why.str());
  Flood f;
  std::istringstream in(r.out);
  std::string name;
  std::size_t value = 0;
  int fields = 0;
  while (in >> name >> value) {
    ++fields;
    if (name == "connected") f.connected = value;
    if (name == "answered") f.answered = value;
    if (name == "closed") f.closed = value;
    if (name == "open") f.open = value;
  }
  if (fields != 4) return tl::unexpected("unexpected output: " + why.str());
  return f;
}

/// @returns how many lines of `log` are refusals by the listener called `name`.
std::size_t refusal_lines(const std::string& log, const std::string& name) {
  std::size_t n = 0;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find(name + ": ") == std::string::npos) continue;
    if (line.find("refused") != std::string::npos ||
        line.find("closed a connection without looking up its owner") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

/// Calls `attempt` until it returns a value or 10 s pass. A connection opened right after a
/// flood may find the listener's owner-lookup budget spent (it refills within 1/256 s) and be
/// closed unanswered; client libraries retry such a connection, and so does the test.
template <class F>
auto until_answered(F attempt) -> decltype(attempt()) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  auto result = attempt();
  while (!result && std::chrono::steady_clock::now() < deadline) result = attempt();
  return result;
}

TEST(PeerLimits, AnotherUsersFloodIsClosedUnansweredLoggedSparinglyAndTheUserIsStillServed) {
  TestUsers users;
  ASSERT_TRUE(find_test_users(users));
  Sandbox sb;
  FakeGoogle fake(sb);
  DaemonProcess d(sb, DaemonOptions().with_config(
                          std::string(kTestConfig) +
                          fmt::format("\n[oauth]\nrevoke_uri = \"{}/revoke\"\n", fake.base_url())));
  ASSERT_TRUE(d.wait_ready());
  auto alice = login_through_browser(d, fake, "alice@example.com");
  ASSERT_TRUE(alice) << alice.error();

  // A metadata endpoint, and a login waiting for the browser's redirect.
  auto session = daemon_api(d, "POST", "/v1/metadata-sessions", json::object());
  ASSERT_TRUE(session && session->status == 201) << (session ? session->body : session.error());
  const std::string metadata_host = session->json().value("host", "");
  const auto metadata_port =
      static_cast<std::uint16_t>(std::stoi(metadata_host.substr(metadata_host.rfind(':') + 1)));
  auto login =
      daemon_api(d, "POST", "/v1/login", json{{"client_secrets", fake.client_secrets_json()}});
  ASSERT_TRUE(login && login->status == 201) << (login ? login->body : login.error());
  const std::string login_id = login->json().value("login_id", "");
  const std::string redirect_uri = login->json().value("redirect_uri", "");
  const auto login_port = static_cast<std::uint16_t>(
      std::stoi(redirect_uri.substr(redirect_uri.rfind(':') + 1, std::string::npos)));
  const std::string metadata_name = "metadata " + metadata_host;
  const std::string login_name = fmt::format("login listener on 127.0.0.1:{}", login_port);

  const auto flood_started = std::chrono::steady_clock::now();
  // Well over each listener's connection cap (64 and 32), all held open at once.
  auto on_metadata = flood_as(users.b, metadata_port, 150, kTokenPath, sb.env());
  ASSERT_TRUE(on_metadata) << on_metadata.error();
  EXPECT_EQ(on_metadata->connected, 150u);
  EXPECT_EQ(on_metadata->answered, 0u) << "another uid got an answer from the metadata endpoint";
  EXPECT_EQ(on_metadata->closed, 150u);
  EXPECT_EQ(on_metadata->open, 0u) << "the daemon left another uid's connections open";
  auto on_login = flood_as(users.b, login_port, 100, "/?state=x&code=y", sb.env());
  ASSERT_TRUE(on_login) << on_login.error();
  EXPECT_EQ(on_login->connected, 100u);
  EXPECT_EQ(on_login->answered, 0u) << "another uid got an answer from the login listener";
  EXPECT_EQ(on_login->closed, 100u);
  EXPECT_EQ(on_login->open, 0u) << "the daemon left another uid's connections open";

  // The refusals not logged are summed up in the next line written, a second or more later:
  // keep refusing a few more connections (which find the lookup budget refilled and are looked
  // up) until such a line names b's uid.
  auto summed_up = ::testing::AssertionResult(false);
  for (const auto deadline = std::chrono::steady_clock::now() + 15s;
       !summed_up && std::chrono::steady_clock::now() < deadline;) {
    auto more = flood_as(users.b, metadata_port, 2, kTokenPath, sb.env());
    ASSERT_TRUE(more) << more.error();
    EXPECT_EQ(more->answered, 0u);
    summed_up =
        d.wait_for_log({metadata_name, "refused connection from uid=" + std::to_string(users.b.uid),
                        "more refusals not logged since the last line"},
                       200ms);
  }
  EXPECT_TRUE(summed_up) << d.log();

  // At most one refusal line per second per listener, for 250+ refused connections.
  const auto elapsed = std::chrono::steady_clock::now() - flood_started;
  const auto seconds =
      static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count());
  const std::string log = d.log();
  const std::size_t metadata_lines = refusal_lines(log, metadata_name);
  const std::size_t login_lines = refusal_lines(log, login_name);
  EXPECT_GE(metadata_lines, 2u) << log;
  EXPECT_LE(metadata_lines, seconds + 1) << log;
  EXPECT_GE(login_lines, 1u) << log;
  EXPECT_LE(login_lines, seconds + 1) << log;

  // The daemon's own user is still served on both.
  auto token = until_answered([&] {
    TcpRequest r;
    r.target = std::string(kTokenPath);
    r.headers = {{"Metadata-Flavor", "Google"}};
    r.timeout = 10s;
    return tcp_request(metadata_port, r);
  });
  ASSERT_TRUE(token) << token.error();
  EXPECT_EQ(token->status, 200) << token->body;
  EXPECT_NE(token->as_json().value("access_token", ""), "") << token->body;

  fake.consent("allow", "bob@example.com");
  const std::string location = fake.authorize(login->json().value("auth_url", ""));
  ASSERT_EQ(location.rfind(redirect_uri, 0), 0u) << location;
  auto page = until_answered([&] { return get_url(location); });
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->status, 200) << page->body;
  auto status = daemon_api(d, "GET", "/v1/login/" + login_id + "?wait=10");
  ASSERT_TRUE(status && status->status == 200) << (status ? status->body : status.error());
  EXPECT_EQ(status->json().value("state", ""), "done") << status->body;
  EXPECT_EQ(status->json().value("account", ""), "bob@example.com") << status->body;

  EXPECT_TRUE(log_free_of(d.log(), fake.issued_secrets()));
  EXPECT_EQ(d.stop(), ExitStatus::exited_with(0)) << d.log();
}

}  // namespace
}  // namespace bqb::itest
