// bqbroker-emulator, the installed binary, driven over loopback HTTP as a client would: the
// consent page's form, the code exchange with the client_secrets.json it wrote, then BigQuery's
// jobs.query / jobs.insert / getQueryResults running real SQL with that access token.

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "fakes/oauth/crypto.h"
#include "fakes/oauth/pkce.h"
#include "tests/support/binaries.h"
#include "tests/support/process.h"
#include "tests/support/tcp_http.h"

namespace bqb::itest {
namespace {

using nlohmann::json;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kRedirect = "http://127.0.0.1:9/callback";

std::string form(const Fields& fields) {
  boost::urls::url u;
  for (const auto& [k, v] : fields) u.params().append({k, v});
  return std::string(u.encoded_query());
}

std::string query_value(const std::string& url, std::string_view name) {
  auto u = boost::urls::parse_uri_reference(url);
  if (!u) return {};
  auto it = u->params().find(name);
  return it == u->params().end() ? std::string() : std::string((*it).value);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The emulator as a child process, up once its readiness line came.
class Emulator {
 public:
  explicit Emulator(std::vector<std::string> args = {}) {
    char dir[] = "/tmp/bqb-emulator-test.XXXXXX";
    if (::mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = dir;
    log_ = dir_ + "/emulator.log";
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    const int log_fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    std::vector<std::string> argv{emulator_binary(), "--exit-with-parent", "--client-secrets-out",
                                  dir_ + "/client_secrets.json"};
    argv.insert(argv.end(), args.begin(), args.end());
    child_.emplace(argv, Environment::minimal(), fds[1], log_fd);
    ::close(fds[1]);
    ::close(log_fd);
    std::string line;
    const auto deadline = Clock::now() + 20s;
    while (line.find('\n') == std::string::npos) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, remaining_ms(deadline)) <= 0) break;
      char buf[512];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    ready_ = json::parse(line, nullptr, false);
    if (!ready_.is_object()) throw std::runtime_error("no readiness line: " + line);
    port_ = ready_["port"].get<std::uint16_t>();
    secrets_ = json::parse(read_file(ready_["client_secrets"]))["installed"];
  }
  ~Emulator() {
    child_->kill(SIGTERM);
    child_->wait(10s);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::uint16_t port() const { return port_; }
  const json& ready() const { return ready_; }
  const json& secrets() const { return secrets_; }
  std::string log() const { return read_file(log_); }
  Child& child() { return *child_; }

 private:
  std::string dir_, log_;
  std::optional<Child> child_;
  json ready_, secrets_;
  std::uint16_t port_ = 0;
};

class EmulatorTest : public ::testing::Test {
 protected:
  std::string auth_target() {
    return "/o/oauth2/v2/auth?" +
           form({{"response_type", "code"},
                 {"client_id", emu_.secrets()["client_id"]},
                 {"redirect_uri", std::string(kRedirect)},
                 {"scope", "openid email https://www.googleapis.com/auth/bigquery"},
                 {"state", "s1"},
                 {"code_challenge", fakes::s256_challenge(verifier_)},
                 {"code_challenge_method", "S256"},
                 {"access_type", "offline"}});
  }
  /// @returns the consent page's pending id, "" with a failure when there is no page.
  std::string consent_page() {
    auto page = tcp_request(emu_.port(), "GET", auth_target());
    EXPECT_TRUE(page && page->status == 200) << (page ? page->body : page.error());
    std::smatch m;
    static const std::regex kPending(R"re(name="pending" value="([^"]+)")re");
    return page && std::regex_search(page->body, m, kPending) ? m[1].str() : std::string();
  }
  Expected<TcpAnswer> decide(const std::string& pending, std::string account,
                             std::string decision) {
    return tcp_request(emu_.port(), "POST", "/o/oauth2/consent",
                       form({{"pending", pending}, {"account", account}, {"decision", decision}}),
                       "application/x-www-form-urlencoded");
  }
  /// @returns an access token for `account`, through the page and the code exchange.
  std::string login(const std::string& account) {
    auto answer = decide(consent_page(), account, "allow");
    EXPECT_TRUE(answer && answer->status == 302) << (answer ? answer->body : answer.error());
    code_ = answer ? query_value(answer->location, "code") : "";
    auto token = tcp_request(emu_.port(), "POST", "/token",
                             form({{"grant_type", "authorization_code"},
                                   {"code", code_},
                                   {"client_id", emu_.secrets()["client_id"]},
                                   {"client_secret", emu_.secrets()["client_secret"]},
                                   {"redirect_uri", std::string(kRedirect)},
                                   {"code_verifier", verifier_}}),
                             "application/x-www-form-urlencoded");
    EXPECT_TRUE(token && token->status == 200) << (token ? token->body : token.error());
    return token ? token->as_json().value("access_token", "") : "";
  }
  Expected<TcpAnswer> bq(std::string method, std::string target, const json& body,
                         const std::string& token) {
    TcpRequest r;
    r.method = std::move(method);
    r.target = "/bigquery/v2/projects/bqbroker-demo" + target;
    r.body = body.is_null() ? "" : body.dump();
    r.headers = {{"Authorization", "Bearer " + token}};
    return tcp_request(emu_.port(), r);
  }

  Emulator emu_;
  std::string verifier_ = fakes::random_urlsafe(40);
  std::string code_;
};

TEST_F(EmulatorTest, ReadinessLineAndClientSecretsMatch) {
  EXPECT_EQ(emu_.ready()["consent"], "interactive");
  EXPECT_EQ(emu_.ready()["accounts"], json({"alice@example.com", "bob@example.com"}));
  EXPECT_EQ(emu_.ready()["project_id"], "bqbroker-demo");
  const std::string base = emu_.ready()["base_url"];
  EXPECT_EQ(emu_.ready()["bigquery_endpoint"], base);
  EXPECT_EQ(emu_.secrets()["auth_uri"].get<std::string>().rfind(base, 0), 0u);
  EXPECT_EQ(emu_.secrets()["token_uri"].get<std::string>().rfind(base, 0), 0u);
  EXPECT_EQ(emu_.secrets()["project_id"], "bqbroker-demo");
}

TEST_F(EmulatorTest, ConsentPageAllowDenyAndReuse) {
  const std::string pending = consent_page();
  ASSERT_FALSE(pending.empty());
  auto denied = decide(pending, "alice@example.com", "deny");
  ASSERT_TRUE(denied) << denied.error();
  EXPECT_EQ(denied->status, 302);
  EXPECT_EQ(query_value(denied->location, "error"), "access_denied");
  EXPECT_EQ(query_value(denied->location, "state"), "s1");
  auto again = decide(pending, "alice@example.com", "allow");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 400);

  const std::string token = login("bob@example.com");
  ASSERT_FALSE(token.empty());
  auto info = tcp_request(emu_.port(), "GET", "/tokeninfo?access_token=" + token);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->as_json()["email"], "bob@example.com");
}

TEST_F(EmulatorTest, TheSampleQueryRunsOnSqliteWithARealToken) {
  const std::string token = login("alice@example.com");
  ASSERT_FALSE(token.empty());
  auto r = bq("POST", "/queries",
              {{"query",
                "SELECT name, SUM(n) AS total FROM `bqbroker-demo.samples.names` GROUP BY name "
                "ORDER BY total DESC LIMIT 10"},
               {"useLegacySql", false},
               {"maxResults", 4}},
              token);
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->status, 200) << r->body;
  const json first = r->as_json();
  EXPECT_EQ(first["schema"]["fields"][1]["type"], "INTEGER");
  EXPECT_EQ(first["totalRows"], "10");
  EXPECT_EQ(first["rows"].size(), 4u);
  // The rest, page by page, through getQueryResults.
  std::size_t rows = first["rows"].size();
  std::string page = first.value("pageToken", "");
  const std::string job = first["jobReference"]["jobId"];
  while (!page.empty()) {
    auto next = bq("GET", "/queries/" + job + "?maxResults=4&pageToken=" + page, nullptr, token);
    ASSERT_TRUE(next && next->status == 200) << (next ? next->body : next.error());
    rows += next->as_json()["rows"].size();
    page = next->as_json().value("pageToken", "");
  }
  EXPECT_EQ(rows, 10u);

  // Without a token, or with a non-SELECT, BigQuery's errors.
  auto anonymous = bq("POST", "/queries", {{"query", "SELECT 2"}, {"useLegacySql", false}}, "x");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto write = bq("POST", "/queries",
                  {{"query", "DELETE FROM samples.names"}, {"useLegacySql", false}}, token);
  ASSERT_TRUE(write);
  EXPECT_EQ(write->status, 400);
  EXPECT_EQ(write->as_json()["error"]["errors"][0]["reason"], "invalidQuery");
}

TEST_F(EmulatorTest, JobsInsertThenGetQueryResultsWithParameters) {
  const std::string token = login("alice@example.com");
  json job = {{"jobReference", {{"projectId", "bqbroker-demo"}, {"jobId", "itest-job-1"}}},
              {"configuration",
               {{"query",
                 {{"query", "SELECT id, at FROM samples.events WHERE id <= @max ORDER BY id"},
                  {"useLegacySql", false},
                  {"parameterMode", "NAMED"},
                  {"queryParameters",
                   {{{"name", "max"},
                     {"parameterType", {{"type", "INT64"}}},
                     {"parameterValue", {{"value", "3"}}}}}}}}}}};
  auto inserted = bq("POST", "/jobs", job, token);
  ASSERT_TRUE(inserted) << inserted.error();
  ASSERT_EQ(inserted->status, 200) << inserted->body;
  EXPECT_EQ(inserted->as_json()["status"]["state"], "DONE");
  auto results = bq("GET", "/queries/itest-job-1?location=US&formatOptions.useInt64Timestamp=true",
                    nullptr, token);
  ASSERT_TRUE(results && results->status == 200) << (results ? results->body : results.error());
  const json b = results->as_json();
  EXPECT_EQ(b["schema"]["fields"][1]["type"], "TIMESTAMP");
  ASSERT_EQ(b["rows"].size(), 3u);
  EXPECT_EQ(b["rows"][2]["f"][0]["v"], "3");
  // events.at of id 1 is 2024-01-01 00:00:00 UTC + 3607 s + 7919 µs.
  EXPECT_EQ(b["rows"][0]["f"][1]["v"], std::to_string((1704067200LL + 3607) * 1000000 + 7919));
  auto got = bq("GET", "/jobs/itest-job-1", nullptr, token);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
}

TEST_F(EmulatorTest, NeverLogsSecrets) {
  const std::string token = login("alice@example.com");
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(bq("POST", "/queries", {{"query", "SELECT 1"}, {"useLegacySql", false}}, token)->status,
            200);
  // Stop it so that its log is complete.
  emu_.child().kill(SIGTERM);
  ASSERT_TRUE(emu_.child().wait(10s).success());
  const std::string log = emu_.log();
  EXPECT_NE(log.find("POST /token -> 200"), std::string::npos) << log;
  for (const std::string& secret :
       {token, code_, emu_.secrets()["client_secret"].get<std::string>(), verifier_}) {
    ASSERT_FALSE(secret.empty());
    EXPECT_EQ(log.find(secret), std::string::npos);
  }
}

TEST(EmulatorFlags, AutomaticConsentAndHelp) {
  Emulator emu({"--consent", "allow", "--account", "carol@example.com"});
  EXPECT_EQ(emu.ready()["accounts"], json({"carol@example.com"}));
  // Answered at once: the authorization redirects with a code, no page.
  const std::string verifier = fakes::random_urlsafe(40);
  auto r =
      tcp_request(emu.port(), "GET",
                  "/o/oauth2/v2/auth?" + form({{"response_type", "code"},
                                               {"client_id", emu.secrets()["client_id"]},
                                               {"redirect_uri", std::string(kRedirect)},
                                               {"scope", "email"},
                                               {"state", "s2"},
                                               {"code_challenge", fakes::s256_challenge(verifier)},
                                               {"code_challenge_method", "S256"}}));
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->status, 302) << r->body;
  auto token = tcp_request(emu.port(), "POST", "/token",
                           form({{"grant_type", "authorization_code"},
                                 {"code", query_value(r->location, "code")},
                                 {"client_id", emu.secrets()["client_id"]},
                                 {"client_secret", emu.secrets()["client_secret"]},
                                 {"redirect_uri", std::string(kRedirect)},
                                 {"code_verifier", verifier}}),
                           "application/x-www-form-urlencoded");
  ASSERT_TRUE(token && token->status == 200) << (token ? token->body : token.error());
  auto info =
      tcp_request(emu.port(), "GET",
                  "/tokeninfo?access_token=" + token->as_json()["access_token"].get<std::string>());
  ASSERT_TRUE(info);
  EXPECT_EQ(info->as_json()["email"], "carol@example.com");

  ProcessResult help = run_process({emulator_binary(), "--help"}, Environment::minimal(), 10s);
  EXPECT_TRUE(help.status.success());
  for (const char* flag :
       {"--bigquery", "--consent", "--account", "--port", "--port-file", "--client-secrets-out",
        "--sql", "--clients", "--client-id", "--project-id", "--public-host", "--tls-cert",
        "--tls-key", "--expires-in", "--exit-with-parent", "--quiet"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
  ProcessResult bad =
      run_process({emulator_binary(), "--consent", "maybe"}, Environment::minimal(), 10s);
  EXPECT_EQ(bad.status, ExitStatus::exited_with(2));
  // --sql loads tables into SQLite: scripted answers have no use for it.
  ProcessResult sql_without_sqlite =
      run_process({emulator_binary(), "--bigquery", "scripted", "--sql", "/dev/null"},
                  Environment::minimal(), 10s);
  EXPECT_EQ(sql_without_sqlite.status, ExitStatus::exited_with(2)) << sql_without_sqlite.err;
}

}  // namespace
}  // namespace bqb::itest
