// Google misbehaving, with the real bqbrokerd and the Google fake: the token endpoint and
// BigQuery (jobs.query, a later page of getQueryResults) refusing connections, failing, asking
// to slow down, hanging past the daemon's timeouts, answering garbage, or dropping the
// connection mid-body. One table row per fault, with what the client must see written in the
// row; every row then clears the fault and checks that the account was kept and works. Then the
// daemon SIGKILLed while a refresh and while a login's code exchange hang: restarted on the same
// state directory it has every account it had, and every state file is whole.
//
// The refusal goes through a TcpGate in front of the fake (an account's token_uri and the
// BigQuery endpoint point at the gate); the other faults are the fake's own (/_fake/faults,
// a scripted result's "faults"). The daemon's per-request timeouts are set to 1 s so that a
// hang costs seconds, not minutes; the retry budget is the daemon's own.

#include <algorithm>
#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "proto/login_api.h"
#include "tests/support/harness.h"
#include "tests/support/tcp_gate.h"

namespace bqb::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kAlice = "alice@example.com";
constexpr std::string_view kProject = "proj-1";
constexpr std::string_view kFaultedSql = "SELECT faulted";
constexpr std::string_view kGarbage = "<html><body>502 Bad Gateway</body></html>";
constexpr std::chrono::seconds kDeadline{30};

/// The call of the daemon's that a row's fault hits.
enum class Call {
  token,       // the refresh grant at the token endpoint (GET /v1/token)
  jobs_query,  // BigQuery jobs.query (POST /v1/query)
  later_page,  // getQueryResults of the result's second page (POST /v1/query)
};

/// What the client sees.
struct Outcome {
  int status;        // the HTTP status of the answer (a query's stream is 200 from its first line)
  std::string code;  // its error code, or the code of a stream's error line; "" for success
  std::string says;  // words the error message holds: it names the upstream and the problem
  int rows;          // a query's row lines before its end or error line
};

struct FaultCase {
  std::string name;
  Call call;
  json fault;         // the fake's fault (faults.h; a scripted result's "faults"); null: refusal
  bool via_cli;       // the client is `bqbroker query` rather than the socket API
  Outcome outcome;    // for via_cli: the status is the exit code
  int min_calls;      // requests of the faulted kind the fake answered: more than 1 is a retry
  int max_calls;      //   (a refusal reaches nothing: 0)
  int min_retry_ms;   // the daemon's first retry waited at least this (Retry-After)
  bool usable_after;  // the account serves tokens and queries once the fault is cleared
};

void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

/// {"f":[{"v":…}]} rows 1..n of one INTEGER column x.
json numbered_rows(int n) {
  json rows = json::array();
  for (int i = 1; i <= n; ++i) rows.push_back({{"f", {{{"v", std::to_string(i)}}}}});
  return rows;
}

/// The lines of an NDJSON body, parsed (a line that is no JSON object fails the test).
std::vector<json> lines_of(const std::string& body) {
  std::vector<json> out;
  std::size_t start = 0;
  while (start < body.size()) {
    const auto end = body.find('\n', start);
    EXPECT_NE(end, std::string::npos) << "the stream's last line has no newline: " << body;
    if (end == std::string::npos) break;
    out.push_back(json::parse(body.substr(start, end - start), nullptr, false));
    EXPECT_TRUE(out.back().is_object()) << body.substr(start, end - start);
    start = end + 1;
  }
  return out;
}

int count_of(const std::vector<json>& lines, std::string_view type) {
  int n = 0;
  for (const auto& l : lines) n += l.value("type", "") == type ? 1 : 0;
  return n;
}

/// @returns the wait of the daemon's first logged retry, in ms; -1 when it logged none.
int first_retry_wait_ms(const std::string& log) {
  static const std::regex kRetry(R"((retry \d+|retrying) in (\d+) ms)");
  std::smatch m;
  return std::regex_search(log, m, kRetry) ? std::stoi(m[2].str()) : -1;
}

/// Polls `done` until it holds or the deadline passes. @returns whether it held.
template <class Pred>
bool eventually(Pred done, std::chrono::milliseconds within = kDeadline) {
  const auto deadline = Clock::now() + within;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a poll interval, not a wait
  }
  return true;
}

std::string daemon_config(const FakeGoogle& fake, std::string_view store,
                          std::string_view bigquery_endpoint) {
  return fmt::format(
      "store = \"{}\"\nlog_level = \"debug\"\n"
      "[oauth]\nrevoke_uri = \"{}/revoke\"\nrequest_timeout_seconds = 1\n"
      "[bigquery]\nendpoint = \"{}\"\nrequest_timeout_seconds = 1\n",
      store, fake.base_url(), bigquery_endpoint);
}

/// @returns refresh_token (or `grant`) requests the fake answered since its stats were reset.
int token_requests(const FakeGoogle& fake, std::string_view grant = "refresh_token") {
  const json stats = fake.control("GET", "/stats");
  return stats.is_discarded() ? -1 : stats["token_requests"]["by_grant_type"].value(grant, 0);
}

/// Every file of the state directory: no temporary file left, every JSON file parses, and the
/// account and credential files are there.
void expect_state_whole(const fs::path& state_dir) {
  std::set<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(state_dir)) {
    const std::string name = e.path().filename().string();
    names.insert(name);
    EXPECT_EQ(name.find(".tmp"), std::string::npos) << "a temporary file was left: " << e.path();
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(json::parse(text.str(), nullptr, false).is_object())
        << e.path() << " does not parse (half written?)";
  }
  EXPECT_TRUE(names.contains("accounts.json")) << state_dir;
  EXPECT_TRUE(names.contains("credentials.json")) << state_dir;
}

// ---------------------------------------------------------------------------------------------
// The table.

class Faults : public ::testing::TestWithParam<FaultCase> {
 protected:
  void SetUp() override {
    daemon_.emplace(sandbox_,
                    DaemonOptions().with_config(daemon_config(fake_, "memory", gate_url())));
    ASSERT_TRUE(daemon_->wait_ready());
    // The account refreshes through the gate: its client's token_uri is the gate's.
    json secrets = fake_.client_secrets_json();
    secrets["installed"]["token_uri"] = gate_url() + "/token";
    auto login =
        login_through_browser(*daemon_, fake_, std::string(kAlice), {{"client_secrets", secrets}});
    ASSERT_TRUE(login) << login.error();
    accounts_before_ = accounts();
  }
  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(log_free_of(daemon_->log(), fake_.issued_secrets()));
    }
  }

  std::string gate_url() const { return fmt::format("http://127.0.0.1:{}", gate_.port()); }

  json accounts() const {
    auto r = daemon_api(*daemon_, "GET", "/v1/accounts");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error());
    return r ? r->json() : json();
  }

  Expected<HttpResponse> query(std::string_view sql) const {
    // timeout_ms 0: jobs.query does not long-poll, so an attempt's bound is the 1 s timeout.
    const json body = {{"query", sql}, {"project", kProject}, {"timeout_ms", 0}};
    return http_once(
        daemon_->socket_path(),
        http_request("POST", "/v1/query", body.dump(), {"Content-Type: application/json"}),
        std::chrono::seconds(90));
  }

  /// Arms the row's fault (or shuts the gate) for its call.
  void arm(const FaultCase& c) {
    if (c.call != Call::token) {
      // A cached token first, so that the query's only upstream trouble is the row's.
      auto warm = daemon_api(*daemon_, "GET", "/v1/token");
      ASSERT_TRUE(warm && warm->status == 200) << (warm ? warm->body : warm.error());
      const bool paged = c.call == Call::later_page;
      json script = {{"query", kFaultedSql},
                     {"schema", {{"fields", {{{"name", "x"}, {"type", "INTEGER"}}}}}},
                     {"rows", numbered_rows(3)},
                     {"page_size", paged ? 2 : 3}};
      if (!c.fault.is_null()) {
        json fault = c.fault;
        if (paged) fault["skip"] = 1;  // jobs.query and its first page pass
        script["faults"] = json::array({fault});
      }
      fake_.control("POST", "/bigquery/results", script);
    } else if (!c.fault.is_null()) {
      json fault = c.fault;
      fault["grant_type"] = "refresh_token";
      fake_.control("POST", "/faults", fault);
    }
    fake_.control("DELETE", "/stats");
    fake_.control("DELETE", "/bigquery/stats");
    if (c.fault.is_null()) gate_.shut();
  }

  /// @returns the requests of the row's call the fake answered.
  int calls(const FaultCase& c) const {
    if (c.call == Call::token) return token_requests(fake_);
    const json stats = fake_.control("GET", "/bigquery/stats");
    if (c.call == Call::jobs_query) return stats["requests"].value("query", 0);
    int pages = 0;
    for (const auto& r : stats["results_log"]) pages += r.contains("pageToken") ? 1 : 0;
    return pages;
  }

  /// Runs the row's call as its client does and checks what that client sees.
  void expect_outcome(const FaultCase& c) {
    const Outcome& want = c.outcome;
    if (c.via_cli) {
      auto r = run_cli({"query", std::string(kFaultedSql), "--project", std::string(kProject),
                        "--format", "ndjson"},
                       sandbox_.env());
      EXPECT_EQ(r.status, ExitStatus::exited_with(want.status)) << r;
      EXPECT_NE(r.err.find(want.says), std::string::npos) << r;
      EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), want.rows) << r;
      return;
    }
    if (c.call == Call::token) {
      auto r = daemon_api(*daemon_, "GET", "/v1/token");
      ASSERT_TRUE(r) << r.error();
      EXPECT_EQ(r->status, want.status) << *r;
      if (want.code.empty()) {
        EXPECT_FALSE(r->json().value("access_token", "").empty()) << *r;
        return;
      }
      const json e = r->json().value("error", json::object());
      EXPECT_EQ(e.value("code", ""), want.code) << *r;
      EXPECT_NE(e.value("message", "").find(want.says), std::string::npos) << *r;
      return;
    }
    auto r = query(kFaultedSql);
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->status, want.status) << *r;
    if (r->status != 200) {
      const json e = r->json().value("error", json::object());
      EXPECT_EQ(e.value("code", ""), want.code) << *r;
      EXPECT_NE(e.value("message", "").find(want.says), std::string::npos) << *r;
      return;
    }
    const auto lines = lines_of(r->body);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(count_of(lines, "row"), want.rows) << r->body;
    if (want.code.empty()) {
      EXPECT_EQ(lines.back().value("type", ""), "end") << r->body;
      EXPECT_EQ(count_of(lines, "error"), 0) << r->body;
      return;
    }
    // A failed stream ends with its error line and claims no success anywhere.
    EXPECT_EQ(count_of(lines, "end"), 0) << r->body;
    EXPECT_EQ(lines.back().value("type", ""), "error") << r->body;
    const json e = lines.back().value("error", json::object());
    EXPECT_EQ(e.value("code", ""), want.code) << r->body;
    EXPECT_NE(e.value("message", "").find(want.says), std::string::npos) << r->body;
  }

  /// With the fault cleared: the account list is what it was, and (unless the row's fault ends
  /// the grant) the account serves a token and a query at once.
  void expect_account_after(const FaultCase& c) {
    gate_.open();
    fake_.control("DELETE", "/faults");
    const json now = accounts();
    ASSERT_EQ(now["accounts"].size(), accounts_before_["accounts"].size()) << now;
    EXPECT_EQ(now["accounts"][0]["email"], kAlice) << now;
    EXPECT_EQ(now["default"], accounts_before_["default"]) << now;
    auto token = daemon_api(*daemon_, "GET", "/v1/token");
    ASSERT_TRUE(token) << token.error();
    if (!c.usable_after) {
      EXPECT_EQ(token->status, 401) << *token;
      EXPECT_EQ(now["accounts"][0]["state"], "needs_login") << now;
      return;
    }
    EXPECT_EQ(token->status, 200) << *token;
    EXPECT_EQ(now["accounts"][0]["state"], "ok") << now;
    auto q = query("SELECT 1");
    ASSERT_TRUE(q) << q.error();
    ASSERT_EQ(q->status, 200) << *q;
    const auto lines = lines_of(q->body);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back().value("type", ""), "end") << q->body;
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  TcpGate gate_{fake_.port()};
  std::optional<DaemonProcess> daemon_;
  json accounts_before_;
};

TEST_P(Faults, ClientSeesTheOutcomeAndTheAccountSurvives) {
  const FaultCase& c = GetParam();
  ASSERT_NO_FATAL_FAILURE(arm(c));
  ASSERT_NO_FATAL_FAILURE(expect_outcome(c));
  const int n = calls(c);
  EXPECT_GE(n, c.min_calls) << "requests of the faulted call";
  EXPECT_LE(n, c.max_calls) << "requests of the faulted call";
  if (c.min_retry_ms > 0) {
    EXPECT_GE(first_retry_wait_ms(daemon_->log()), c.min_retry_ms);
  }
  expect_account_after(c);
  EXPECT_TRUE(daemon_->serves_status());
}

const json kServerError = {{"status", 500}};
const json kRateLimited = {{"status", 429}, {"retry_after", 1}};
const json kHang = {{"hang", true}};
const json kGarbageBody = {{"status", 200}, {"body", kGarbage}};
const json kCut = {{"cut", true}};
json always(json fault) {
  fault["count"] = 100;
  return fault;
}

// BigQuery's faults are ErrorProtos with a reason; the network ones are the same as the token
// endpoint's.
const json kBqServerError = {{"reason", "internalError"}};
const json kBqBackendError = {{"reason", "backendError"}};
const json kBqRateLimited = {{"reason", "rateLimitExceeded"}, {"status", 429}, {"retry_after", 1}};

INSTANTIATE_TEST_SUITE_P(
    Upstream, Faults,
    ::testing::Values(
        // The token endpoint (GET /v1/token). Transient faults are retried within the budget.
        FaultCase{"TokenRefusesConnections",
                  Call::token,
                  nullptr,
                  false,
                  {503, "upstream_unavailable", "the token endpoint", 0},
                  0,
                  0,
                  0,
                  true},
        FaultCase{"TokenServerErrorOnce",
                  Call::token,
                  kServerError,
                  false,
                  {200, "", "", 0},
                  2,
                  2,
                  0,
                  true},
        FaultCase{"TokenServerErrorAlways",
                  Call::token,
                  always(kServerError),
                  false,
                  {503, "upstream_unavailable", "/token is temporarily unavailable (HTTP 500", 0},
                  2,
                  5,
                  0,
                  true},
        FaultCase{"TokenRateLimitedWithRetryAfter",
                  Call::token,
                  kRateLimited,
                  false,
                  {200, "", "", 0},
                  2,
                  2,
                  1000,
                  true},
        FaultCase{"TokenHangsOnce", Call::token, kHang, false, {200, "", "", 0}, 2, 2, 0, true},
        FaultCase{"TokenHangsAlways",
                  Call::token,
                  always(kHang),
                  false,
                  {503, "upstream_unavailable", "the token endpoint", 0},
                  2,
                  5,
                  0,
                  true},
        FaultCase{"TokenGarbageBody",
                  Call::token,
                  kGarbageBody,
                  false,
                  {502, "upstream_error", "/token is not a JSON object", 0},
                  1,
                  1,
                  0,
                  true},
        FaultCase{
            "TokenDroppedMidBodyOnce", Call::token, kCut, false, {200, "", "", 0}, 2, 2, 0, true},
        FaultCase{"TokenDroppedMidBodyAlways",
                  Call::token,
                  always(kCut),
                  false,
                  {503, "upstream_unavailable", "the token endpoint", 0},
                  2,
                  5,
                  0,
                  true},
        // The one fault that ends the grant: the account stays listed, needing a login.
        FaultCase{"TokenGrantRefused",
                  Call::token,
                  {{"error", "invalid_grant"}},
                  false,
                  {401, "needs_login", "revoked or expired", 0},
                  1,
                  1,
                  0,
                  false},

        // BigQuery jobs.query (POST /v1/query): retried with the same requestId.
        FaultCase{"JobsQueryRefusesConnections",
                  Call::jobs_query,
                  nullptr,
                  false,
                  {503, "upstream_unavailable", "BigQuery jobs.query: ", 0},
                  0,
                  0,
                  0,
                  true},
        FaultCase{"JobsQueryServerErrorOnce",
                  Call::jobs_query,
                  kBqServerError,
                  false,
                  {200, "", "", 3},
                  2,
                  2,
                  0,
                  true},
        FaultCase{"JobsQueryBackendErrorAlways",
                  Call::jobs_query,
                  always(kBqBackendError),
                  false,
                  {503, "backend_error", "jobs.query", 0},
                  2,
                  5,
                  0,
                  true},
        FaultCase{"JobsQueryRateLimitedWithRetryAfter",
                  Call::jobs_query,
                  kBqRateLimited,
                  false,
                  {200, "", "", 3},
                  2,
                  2,
                  1000,
                  true},
        FaultCase{
            "JobsQueryHangsOnce", Call::jobs_query, kHang, false, {200, "", "", 3}, 2, 2, 0, true},
        FaultCase{"JobsQueryHangsAlways",
                  Call::jobs_query,
                  always(kHang),
                  false,
                  {503, "upstream_unavailable", "BigQuery jobs.query: ", 0},
                  2,
                  5,
                  0,
                  true},
        FaultCase{"JobsQueryGarbageBody",
                  Call::jobs_query,
                  kGarbageBody,
                  false,
                  {502, "upstream_error", "jobs.query", 0},
                  1,
                  1,
                  0,
                  true},
        FaultCase{"JobsQueryDroppedMidBodyOnce",
                  Call::jobs_query,
                  kCut,
                  false,
                  {200, "", "", 3},
                  2,
                  2,
                  0,
                  true},
        FaultCase{"JobsQueryDroppedMidBodyAlways",
                  Call::jobs_query,
                  always(kCut),
                  false,
                  {503, "upstream_unavailable", "BigQuery jobs.query: ", 0},
                  2,
                  5,
                  0,
                  true},

        // getQueryResults of the second page, after the first page's rows were streamed: the
        // stream ends with an error line, never an end line.
        FaultCase{"LaterPageServerErrorAlways",
                  Call::later_page,
                  always(kBqServerError),
                  false,
                  {200, "backend_error", "getQueryResults answered HTTP 500", 2},
                  2,
                  5,
                  0,
                  true},
        FaultCase{
            "LaterPageHangsOnce", Call::later_page, kHang, false, {200, "", "", 3}, 2, 2, 0, true},
        FaultCase{"LaterPageGarbageBody",
                  Call::later_page,
                  kGarbageBody,
                  false,
                  {200, "upstream_error", "getQueryResults", 2},
                  1,
                  1,
                  0,
                  true},
        FaultCase{"LaterPageDroppedMidBodyOnce",
                  Call::later_page,
                  kCut,
                  false,
                  {200, "", "", 3},
                  2,
                  2,
                  0,
                  true},
        FaultCase{"LaterPageDroppedMidBodyAlways",
                  Call::later_page,
                  always(kCut),
                  false,
                  {200, "upstream_unavailable", "BigQuery getQueryResults: ", 2},
                  2,
                  5,
                  0,
                  true},
        // The same through the CLI: the rows it got, then a failure exit and the error.
        FaultCase{"LaterPageDroppedMidBodyAlwaysCli",
                  Call::later_page,
                  always(kCut),
                  true,
                  {1, "", "BigQuery getQueryResults: ", 2},
                  2,
                  5,
                  0,
                  true}),
    [](const ::testing::TestParamInfo<FaultCase>& row) { return row.param.name; });

// ---------------------------------------------------------------------------------------------
// SIGKILL while a call to Google is in flight, then a restart on the same state directory.

class FaultsKill : public ::testing::Test {
 protected:
  void SetUp() override {
    start();
    auto login = login_through_browser(*daemon_, fake_, std::string(kAlice));
    ASSERT_TRUE(login) << login.error();
    // No token yet: the login caches none, so the first GET /v1/token refreshes.
    accounts_before_ = accounts();
    fake_.control("DELETE", "/stats");
  }
  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(log_free_of(daemon_->log(), fake_.issued_secrets()));
    }
  }

  void start() {
    daemon_.emplace(sandbox_,
                    DaemonOptions().with_config(daemon_config(fake_, "file", fake_.base_url())));
    ASSERT_TRUE(daemon_->wait_ready());
  }

  json accounts() const {
    auto r = daemon_api(*daemon_, "GET", "/v1/accounts");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error());
    return r ? r->json() : json();
  }

  /// Kills the daemon while the fake holds its call, waits for `in_flight` (the client's
  /// request; @returns whether it was answered), checks the state the daemon left, clears the
  /// faults and starts it again on the same directories.
  bool kill_and_restart(std::future<bool>& in_flight) {
    EXPECT_EQ(daemon_->stop(SIGKILL), ExitStatus::killed_by(SIGKILL));
    const bool answered = in_flight.get();
    EXPECT_TRUE(log_free_of(daemon_->log(), fake_.issued_secrets()));
    expect_state_whole(sandbox_.state_home() / "bqbroker");
    fake_.control("DELETE", "/faults");
    start();
    return answered;
  }

  /// Every account the daemon had before, as it was, and a token for alice.
  void expect_accounts_kept() {
    EXPECT_EQ(accounts(), accounts_before_);
    auto token = daemon_api(*daemon_, "GET", "/v1/token");
    ASSERT_TRUE(token) << token.error();
    EXPECT_EQ(token->status, 200) << *token;
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  std::optional<DaemonProcess> daemon_;
  json accounts_before_;
};

TEST_F(FaultsKill, MidRefreshLosesNoAccount) {
  fake_.control("POST", "/faults", {{"hang", true}, {"grant_type", "refresh_token"}});
  std::string answer;
  std::future<bool> in_flight = std::async(std::launch::async, [this, &answer] {
    auto r = daemon_api(*daemon_, "GET", "/v1/token");
    if (r) answer = (std::ostringstream() << *r).str();
    return r.has_value();
  });
  ASSERT_TRUE(eventually([&] { return token_requests(fake_) >= 1; }))
      << "the refresh never reached the token endpoint";
  EXPECT_FALSE(kill_and_restart(in_flight)) << "answered while the refresh hung: " << answer;
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  expect_accounts_kept();
}

TEST_F(FaultsKill, MidLoginCodeExchangeLosesNoAccount) {
  fake_.control("POST", "/faults", {{"hang", true}, {"grant_type", "authorization_code"}});
  fake_.consent("allow", "bob@example.com");
  auto started =
      daemon_api(*daemon_, "POST", "/v1/login", {{"client_secrets", fake_.client_secrets_json()}});
  ASSERT_TRUE(started && started->status == 201) << (started ? started->body : started.error());
  auto login = api::parse_login_started(started->json());
  ASSERT_TRUE(login) << started->body;
  // The browser's step: consent, then the redirect to the daemon's listener, whose answer waits
  // for the code exchange that hangs.
  const std::string location = fake_.authorize(login->auth_url);
  ASSERT_FALSE(location.empty());
  std::future<bool> in_flight = std::async(std::launch::async, [&location] {
    auto page = get_url(location);
    return page.has_value();
  });
  ASSERT_TRUE(eventually([&] { return token_requests(fake_, "authorization_code") >= 1; }))
      << "the code exchange never reached the token endpoint";
  kill_and_restart(in_flight);  // the listener may or may not have answered the browser yet
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  expect_accounts_kept();
  // The interrupted login left nothing behind that stops a new one.
  auto again = login_through_browser(*daemon_, fake_, "bob@example.com");
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(accounts()["accounts"].size(), 2u);
}

}  // namespace
}  // namespace bqb::itest
