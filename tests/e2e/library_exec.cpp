#include "tests/e2e/library_exec.h"

#include <sstream>

#include <fmt/format.h>

#include "tests/e2e/e2e_env.h"
#include "tests/e2e/typed_compare.h"

namespace bqb::e2e {
namespace {

using itest::ExitStatus;
using nlohmann::json;
using namespace std::chrono_literals;

/// A program's row value in the form compare_rows() reads a typed client's values in (Node's
/// wrappers, typed_compare.h): a JSON integer INTEGER, a decimal-text NUMERIC and an RFC 3339
/// TIMESTAMP are wrapped; any other value stays as it is, so a value in another representation
/// (an INTEGER as text) is still a difference.
json as_typed(const std::string& type, const json& v) {
  if ((type == "INTEGER" || type == "INT64") && v.is_number_integer()) {
    return {{"BigQueryInt", v.dump()}};
  }
  if ((type == "NUMERIC" || type == "BIGNUMERIC") && v.is_string()) return {{"Big", v}};
  if (type == "TIMESTAMP" && v.is_string()) return {{"BigQueryTimestamp", v}};
  return v;
}

}  // namespace

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

LibraryExecTest::LibraryExecTest(std::string account)
    : google_(sandbox_, Consent::allow, {std::move(account)}) {}

void LibraryExecTest::SetUp() {
  // The daemon's BigQuery (for `bqbroker query`) is the Google server's, as the programs' is.
  const std::string config =
      daemon_config(google_) + fmt::format("[bigquery]\nendpoint = \"{}\"\n", google_.base_url());
  daemon_.emplace(sandbox_, itest::DaemonOptions().with_config(config));
  ASSERT_TRUE(daemon_->wait_ready());
  env_ = sandbox_.env();
  env_.set("BQBROKER_SOCKET", daemon_->socket_path().string());
}

void LibraryExecTest::sign_in() { sign_in_with_curl(google_, env_); }

json LibraryExecTest::exec_json(const std::vector<std::string>& program) {
  auto exec_env = env_;
  exec_env.set("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/adc.json");
  std::vector<std::string> args{"exec", "--project", std::string(kSampleProject), "--"};
  args.insert(args.end(), program.begin(), program.end());
  auto r = itest::run_cli(args, exec_env, 120s);
  EXPECT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  json out = json::parse(r.out, nullptr, false);
  EXPECT_TRUE(out.is_object()) << r;
  return r.status.success() && out.is_object() ? out : json(nullptr);
}

std::optional<std::string> LibraryExecTest::expect_issued_and_live(const json& out) {
  const std::string digest = out.value("token_sha256", "");
  const auto tokens = google_.control("GET", "/tokens");
  EXPECT_TRUE(tokens) << "the Google server's control API (/_fake/tokens) did not answer";
  if (!tokens) return std::nullopt;
  std::optional<std::string> token;
  for (const auto& t : tokens->value("access_tokens", json::array())) {
    const std::string value = t.value("access_token", "");
    if (sha256_hex(value) == digest) token = value;
  }
  EXPECT_TRUE(token) << "the program's token is none the server issued: " << out.dump(2);
  if (!token) return std::nullopt;
  const std::string prefix = out.value("token_prefix", "");
  EXPECT_EQ(prefix.size(), 10u) << out.dump(2);
  EXPECT_TRUE(token->starts_with(prefix)) << out.dump(2);
  const auto info = google_.tokeninfo(*token);
  EXPECT_TRUE(info) << "the token is not live at " << google_.base_url();
  if (info) {
    EXPECT_EQ(info->value("email", ""), google_.accounts().front());
  }

  EXPECT_EQ(out.dump().find(*token), std::string::npos) << "the program printed its token";
  EXPECT_TRUE(itest::log_free_of(daemon_->log(), {*token}));
  return token;
}

std::vector<std::string> LibraryExecTest::metadata_requests() const {
  // "<time> debug metadata 127.0.0.1:PORT: GET /path → 200" (metadata_server.cpp).
  std::vector<std::string> out;
  std::istringstream log(daemon_->log());
  for (std::string line; std::getline(log, line);) {
    const auto at = line.find(" debug metadata 127.0.0.1:");
    if (at == std::string::npos) continue;
    const auto request = line.find(": ", at + 26);
    const auto arrow = line.find(" → ", request == std::string::npos ? line.size() : request);
    if (request == std::string::npos || arrow == std::string::npos) continue;
    out.push_back(line.substr(request + 2, arrow - request - 2) + " " +
                  line.substr(arrow + std::string_view(" → ").size()));
  }
  return out;
}

json LibraryExecTest::bqbroker_rows(const SampleQuery& query) {
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

void LibraryExecTest::expect_rows_of_bqbroker_query(const json& query, const std::string& sql) {
  ASSERT_TRUE(query.is_object()) << "the program printed no query result";
  const json schema = query.value("schema", json::array());
  ASSERT_TRUE(schema.is_array() && !schema.empty()) << query.dump(2);

  const json ours = bqbroker_rows(SampleQuery{"query", sql, {}});
  ASSERT_TRUE(ours.is_array() && !ours.empty());

  json theirs = json::array();
  for (const auto& row : query.value("rows", json::array())) {
    json typed = row;  // a column the schema lacks stays, and differs
    for (const auto& field : schema) {
      const std::string name = field.value("name", "");
      if (row.contains(name)) typed[name] = as_typed(field.value("type", ""), row[name]);
    }
    theirs.push_back(std::move(typed));
  }
  for (const auto& d : compare_rows(schema, ours, theirs)) ADD_FAILURE() << describe(d);
}

}  // namespace bqb::e2e
