// POST /v1/query and DELETE /v1/jobs/{project}/{job_id} through the router: request checks, the
// project fallback, and the streamed answer collected whole.
#include "daemon/query/api_query.h"

#include <deque>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/http_test_server.h"
#include "tests/support/metadata_test_support.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using http::beast_http::verb;
using nlohmann::json;

constexpr std::string_view kRoot = "http://127.0.0.1:9/bigquery/v2";

/// Answers every request with the next scripted body (200), recording the requests.
class CannedBigQuery final : public HttpClient {
 public:
  std::deque<HttpResponse> answers;
  std::vector<HttpRequest> requests;
  awaitable<Result<HttpResponse>> send(HttpRequest request) override {
    requests.push_back(request);
    if (answers.empty()) co_return HttpResponse{500, {}, "{}"};
    auto a = std::move(answers.front());
    answers.pop_front();
    co_return a;
  }
};

json one_row_page() {
  return {{"jobComplete", true},
          {"jobReference", {{"projectId", "p"}, {"jobId", "job_1"}, {"location", "US"}}},
          {"schema", {{"fields", {{{"name", "f0_"}, {"type", "INTEGER"}}}}}},
          {"rows", {{{"f", {{{"v", "1"}}}}}}},
          {"totalRows", "1"}};
}

class QueryApiTest : public ::testing::Test {
 protected:
  void make_routes(std::optional<std::string> default_project) {
    QueryRunnerOptions options;
    options.bigquery.api_root = std::string(kRoot);
    runner_ = std::make_unique<QueryRunner>(http_, tokens_, options);
    add_query_routes(router_, *runner_, std::move(default_project),
                     [this](const std::optional<std::string>& account) {
                       looked_up_.push_back(account.value_or("(default)"));
                       return account_project_;
                     });
  }
  http::Response call(verb method, std::string target, std::string body = "") {
    http::Request req{method, target, 11};
    req.body() = std::move(body);
    req.prepare_payload();
    return test::run(io_, router_.dispatch(req, PeerCred{::getpid(), ::getuid(), ::getgid()}));
  }
  static json error_of(const http::Response& r) { return json::parse(r.body())["error"]; }

  asio::io_context io_;
  CannedBigQuery http_;
  test::FakeTokenSource tokens_;
  http::Router router_;
  std::unique_ptr<QueryRunner> runner_;
  std::optional<std::string> account_project_ = "acct-proj";
  std::vector<std::string> looked_up_;
};

TEST_F(QueryApiTest, StreamsNdjsonForAQuery) {
  make_routes(std::nullopt);
  http_.answers.push_back(HttpResponse{200, {}, one_row_page().dump()});
  auto r = call(verb::post, "/v1/query", R"({"query":"SELECT 1","project":"p"})");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(r[http::beast_http::field::content_type], "application/x-ndjson");
  EXPECT_NE(r.body().find(R"({"type":"row","row":{"f0_":"1"}})"), std::string::npos) << r.body();
  ASSERT_EQ(http_.requests.size(), 1u);
  EXPECT_EQ(http_.requests[0].url, std::string(kRoot) + "/projects/p/queries");
  EXPECT_TRUE(looked_up_.empty()) << "a request with a project needs no account lookup";
  EXPECT_EQ(tokens_.requests.at(0).caller.via, "query");
  EXPECT_EQ(tokens_.requests.at(0).caller.pid, ::getpid());
}

TEST_F(QueryApiTest, ProjectFallsBackToTheConfigThenTheAccount) {
  make_routes(std::nullopt);
  http_.answers.push_back(HttpResponse{200, {}, one_row_page().dump()});
  auto r = call(verb::post, "/v1/query", R"({"query":"SELECT 1","account":"ada@example.com"})");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(http_.requests.at(0).url, std::string(kRoot) + "/projects/acct-proj/queries");
  EXPECT_EQ(looked_up_, std::vector<std::string>{"ada@example.com"});
  EXPECT_EQ(tokens_.requests.at(0).account, "ada@example.com");
}

TEST_F(QueryApiTest, ConfiguredDefaultProjectWinsOverTheAccounts) {
  make_routes("conf-proj");
  http_.answers.push_back(HttpResponse{200, {}, one_row_page().dump()});
  auto r = call(verb::post, "/v1/query", R"({"query":"SELECT 1"})");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(http_.requests.at(0).url, std::string(kRoot) + "/projects/conf-proj/queries");
}

TEST_F(QueryApiTest, NoProjectAnywhereIsABadRequestWithAHint) {
  make_routes(std::nullopt);
  account_project_ = std::nullopt;
  auto r = call(verb::post, "/v1/query", R"({"query":"SELECT 1"})");
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(error_of(r)["code"], "bad_request");
  EXPECT_NE(error_of(r)["hint"].get<std::string>().find("--project"), std::string::npos);
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(QueryApiTest, BadRequestsAreRefusedBeforeAnythingRuns) {
  make_routes("p");
  struct Case {
    const char* body;
    const char* code;
    const char* mention;
  };
  for (const Case& c :
       {Case{"", "invalid_json", "empty"}, Case{"{", "invalid_json", "JSON"},
        Case{R"({"query":"x","bogus":1})", "bad_request", "'bogus'"},
        Case{R"({"query":"x","parameters":[{"type":"INT64","value":"z"}]})", "bad_request",
             "parameters[0]"},
        Case{R"({"query":"x","default_dataset":"a.b.c"})", "bad_request", "a.b.c"}}) {
    auto r = call(verb::post, "/v1/query", c.body);
    EXPECT_EQ(r.result_int(), 400) << c.body;
    EXPECT_EQ(error_of(r)["code"], c.code) << c.body;
    EXPECT_NE(error_of(r)["message"].get<std::string>().find(c.mention), std::string::npos)
        << c.body << ": " << r.body();
  }
  EXPECT_TRUE(http_.requests.empty());
  EXPECT_TRUE(tokens_.requests.empty());
}

TEST_F(QueryApiTest, DeleteJobCancelsIt) {
  make_routes(std::nullopt);
  http_.answers.push_back(
      HttpResponse{200, {}, json{{"job", {{"status", {{"state", "DONE"}}}}}}.dump()});
  auto r = call(verb::delete_, "/v1/jobs/p/job_1?location=EU");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(json::parse(r.body()),
            json({{"project", "p"}, {"job_id", "job_1"}, {"location", "EU"}, {"state", "DONE"}}));
  ASSERT_EQ(http_.requests.size(), 1u);
  EXPECT_EQ(http_.requests[0].method, "POST");
  EXPECT_EQ(http_.requests[0].url,
            std::string(kRoot) + "/projects/p/jobs/job_1/cancel?location=EU");

  auto bad = call(verb::delete_, "/v1/jobs/p/job_1?where=EU");
  EXPECT_EQ(bad.result_int(), 400);
  EXPECT_NE(error_of(bad)["message"].get<std::string>().find("'where'"), std::string::npos);
}

}  // namespace
}  // namespace bqb
