// QueryRunner: how failures end a query: retried transient errors, a refreshed token on 401,
// BigQuery's errors as an error response or as the last line, token errors, malformed rows.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/query_runner_test_support.h"

namespace bqb::test {
namespace {

TEST_F(QueryRunnerTest, RetriesTransientErrorsWithTheSameRequestId) {
  http_.error(503, "backendError");
  http_.answers.push_back(HttpResponse{502, {}, "<html>bad gateway</html>"});
  http_.answers.push_back(tl::unexpected(Error{Errc::upstream_unavailable, "reset", ""}));
  http_.ok(complete_page({row("1", "a")}));
  run(spec());
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "schema", "row", "end"}));
  ASSERT_EQ(http_.requests.size(), 4u);
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(http_.requests[i].body, http_.requests[0].body) << "same body, same requestId";
  }
}

TEST_F(QueryRunnerTest, TransientErrorsAreBoundedAndReported) {
  for (int i = 0; i < 4; ++i) http_.error(500, "internalError");
  run(spec());
  EXPECT_EQ(http_.requests.size(), 4u) << "max_attempts";
  ASSERT_TRUE(stream_.responded);
  EXPECT_EQ(stream_.responded->result_int(), http_status(Errc::backend_error));
  const json e = stream_.error_body()["error"];
  EXPECT_EQ(e["code"], "backend_error");
  EXPECT_EQ(e["reason"], "internalError");
}

TEST_F(QueryRunnerTest, A401RefreshesTheTokenOnceAndRetries) {
  http_.error(401, "authError", "Request had invalid authentication credentials.");
  http_.ok(complete_page({row("1", "a")}));
  run(spec());
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "schema", "row", "end"}));
  ASSERT_EQ(tokens_.requests.size(), 2u);
  EXPECT_FALSE(tokens_.requests[0].refused_token);
  ASSERT_TRUE(tokens_.requests[1].refused_token);
  EXPECT_EQ(tokens_.requests[1].refused_token->reveal(), "ya29.fake-1");
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(header(1, "Authorization"), "Bearer ya29.fake-2");
  EXPECT_EQ(http_.requests[1].body, http_.requests[0].body);
}

TEST_F(QueryRunnerTest, ASecond401IsNeedsLogin) {
  http_.error(401, "authError");
  http_.error(401, "authError");
  run(spec());
  EXPECT_EQ(tokens_.requests.size(), 2u);
  EXPECT_EQ(http_.requests.size(), 2u);
  ASSERT_TRUE(stream_.responded);
  EXPECT_EQ(stream_.responded->result_int(), 401);
  EXPECT_EQ(stream_.error_body()["error"]["code"], "needs_login");
}

TEST_F(QueryRunnerTest, InvalidQueryIsAnErrorResponseWithThePosition) {
  http_.error(400, "invalidQuery", "Syntax error: Unexpected keyword FROM at [1:8]");
  run(spec("SELECT FROM"));
  EXPECT_EQ(http_.requests.size(), 1u) << "never retried";
  EXPECT_FALSE(stream_.begun_status);
  ASSERT_TRUE(stream_.responded);
  EXPECT_EQ(stream_.responded->result_int(), 400);
  const json e = stream_.error_body()["error"];
  EXPECT_EQ(e["code"], "invalid_query");
  EXPECT_EQ(e["reason"], "invalidQuery");
  EXPECT_EQ(e["line"], 1);
  EXPECT_EQ(e["column"], 8);
  EXPECT_NE(e["message"].get<std::string>().find("Unexpected keyword FROM"), std::string::npos);
}

TEST_F(QueryRunnerTest, InsufficientScopeSaysWhichLoginFixesIt) {
  json e = {{"error",
             {{"code", 403},
              {"message", "Request had insufficient authentication scopes."},
              {"status", "PERMISSION_DENIED"},
              {"errors", json::array({{{"reason", "insufficientPermissions"}}})}}}};
  http_.answers.push_back(HttpResponse{403, {}, e.dump()});
  run(spec());
  const json body = stream_.error_body()["error"];
  EXPECT_EQ(body["code"], "scope_not_granted");
  EXPECT_NE(body["hint"].get<std::string>().find("bqbroker login --scope bigquery"),
            std::string::npos);
}

TEST_F(QueryRunnerTest, AJobErrorAfterRowsIsAnErrorLine) {
  http_.ok(complete_page({row("1", "a")}, "tok2"));
  http_.error(403, "responseTooLarge", "Response too large to return.");
  run(spec());
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "schema", "row", "error"}));
  const json e = stream_.lines().back()["error"];
  EXPECT_EQ(e["reason"], "responseTooLarge");
  EXPECT_NE(e["message"].get<std::string>().find("Response too large"), std::string::npos);
  EXPECT_EQ(http_.count("POST", "/cancel"), 0u) << "a complete job has nothing to cancel";
}

TEST_F(QueryRunnerTest, ATokenErrorIsAnsweredBeforeAnyRequest) {
  tokens_.error = Error{Errc::needs_login, "no account is logged in", "run `bqbroker login`"};
  run(spec());
  EXPECT_TRUE(http_.requests.empty());
  ASSERT_TRUE(stream_.responded);
  EXPECT_EQ(stream_.responded->result_int(), 401);
  EXPECT_EQ(stream_.error_body()["error"]["hint"], "run `bqbroker login`");
}

TEST_F(QueryRunnerTest, MalformedRowsFailTheQueryNamingTheColumn) {
  http_.ok(complete_page({row("not-a-number", "a")}));
  run(spec());
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "schema", "error"}));
  const std::string message = stream_.lines().back()["error"]["message"];
  EXPECT_NE(message.find("x"), std::string::npos) << message;
  EXPECT_EQ(message.find("not-a-number"), std::string::npos) << "values stay out of messages";
}

}  // namespace
}  // namespace bqb::test
