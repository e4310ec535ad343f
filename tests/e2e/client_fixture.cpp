#include "tests/e2e/client_fixture.h"

#include <fmt/format.h>

#include "tests/e2e/e2e_env.h"

namespace bqb::e2e {

using itest::ExitStatus;
using nlohmann::json;
using namespace std::chrono_literals;

const SampleQuery kAggregateQuery{
    "aggregate",
    "SELECT name, SUM(n) AS total FROM `bqbroker-demo.samples.names`\n"
    "GROUP BY name ORDER BY total DESC LIMIT 10",
    {}};
const SampleQuery kNamedParamsQuery{
    "named_params",
    "SELECT id, user_email, kind, at, amount FROM samples.events\n"
    "WHERE user_email = @email AND at >= @since AND id > @min_id ORDER BY id LIMIT 40",
    {{"email", "STRING", "bob@example.com"},
     {"since", "TIMESTAMP", "2024-02-01T00:00:00Z"},
     {"min_id", "INT64", "10"}}};

ClientLibraryTest::ClientLibraryTest(std::string_view account)
    : google_{sandbox_, Consent::allow, {std::string(account)}} {}

void ClientLibraryTest::SetUp() {
  // The daemon's BigQuery is the Google server's (the emulator prints it as bigquery_endpoint:
  // its base URL).
  const std::string config =
      daemon_config(google_) + fmt::format("[bigquery]\nendpoint = \"{}\"\n", google_.base_url());
  daemon_.emplace(sandbox_, itest::DaemonOptions().with_config(config));
  ASSERT_TRUE(daemon_->wait_ready());
  env_ = sandbox_.env();
  env_.set("BQBROKER_SOCKET", daemon_->socket_path().string());
}

void ClientLibraryTest::login() {
  auto login_env = env_;
  login_env.set("DISPLAY", ":0");
  login_env.set("BROWSER", "curl --silent --show-error --location --output /dev/null");
  auto r = itest::run_cli(
      {"login", "--client-secrets", google_.client_secrets_file().string(), "--timeout", "30"},
      login_env, 60s);
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  ASSERT_NE(r.out.find(fmt::format("Signed in as {}", google_.accounts().front())),
            std::string::npos)
      << r;
}

json ClientLibraryTest::bqbroker_rows(const SampleQuery& query) {
  std::vector<std::string> args{"query", "--format", "json", "--project",
                                std::string(kSampleProject)};
  for (const auto& p : query.params) {
    args.push_back("--param");
    args.push_back(fmt::format("{}:{}:{}", p.name, p.type, p.value));
  }
  args.insert(args.end(), {"--", query.sql});
  auto r = itest::run_cli(args, env_, 60s);
  EXPECT_EQ(r.status, ExitStatus::exited_with(0)) << query.what << ": " << r;
  json rows = json::parse(r.out, nullptr, false);
  EXPECT_TRUE(rows.is_array()) << query.what << ": " << r;
  return rows;
}

}  // namespace bqb::e2e
