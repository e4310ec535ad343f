#include "daemon/query/bq_response.h"

#include <gtest/gtest.h>

#include "daemon/query/bq_value.h"

namespace bqb::bq {
namespace {

TEST(BqResponse, ParsesACompletePage) {
  auto p = parse_query_page(R"({
      "kind":"bigquery#queryResponse",
      "schema":{"fields":[{"name":"n","type":"INTEGER"},{"name":"s","type":"STRING"}]},
      "jobReference":{"projectId":"p","jobId":"job_x","location":"EU"},
      "totalRows":"3","pageToken":"tok2",
      "rows":[{"f":[{"v":"1"},{"v":"a"}]},{"f":[{"v":"2"},{"v":null}]}],
      "totalBytesProcessed":"1048576","totalBytesBilled":"10485760",
      "jobComplete":true,"cacheHit":false})",
                            "jobs.query");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_TRUE(p->job_complete);
  EXPECT_EQ(p->job, (JobReference{"p", "job_x", "EU"}));
  EXPECT_EQ(p->location, "EU");
  EXPECT_EQ(p->page_token, "tok2");
  EXPECT_EQ(p->total_rows, 3u);
  EXPECT_EQ(p->total_bytes_processed, 1048576);
  EXPECT_EQ(p->total_bytes_billed, 10485760);
  EXPECT_FALSE(p->cache_hit);
  ASSERT_TRUE(p->schema.has_value());
  ASSERT_EQ(p->rows.size(), 2u);
  EXPECT_EQ(convert_row(*p->schema, p->rows[1], "row 1")->dump(), R"({"n":"2","s":null})");
}

TEST(BqResponse, IncompleteAndJoblessPages) {
  auto running = parse_query_page(
      R"({"jobReference":{"projectId":"p","jobId":"j"},"jobComplete":false})", "t");
  ASSERT_TRUE(running.has_value());
  EXPECT_FALSE(running->job_complete);
  EXPECT_FALSE(running->schema.has_value());
  EXPECT_TRUE(running->rows.empty());
  EXPECT_FALSE(running->total_rows.has_value());

  auto jobless = parse_query_page(
      R"({"queryId":"q1","location":"US","jobComplete":true,"cacheHit":true,
          "schema":{"fields":[]},"totalRows":0,"numDmlAffectedRows":"4"})",
      "t");
  ASSERT_TRUE(jobless.has_value()) << jobless.error().message;
  EXPECT_FALSE(jobless->job.has_value());
  EXPECT_EQ(jobless->query_id, "q1");
  EXPECT_TRUE(jobless->cache_hit);
  EXPECT_EQ(jobless->total_rows, 0u);
  EXPECT_EQ(jobless->num_dml_affected_rows, 4);
}

TEST(BqResponse, DryRunHasNoJob) {
  auto p = parse_query_page(R"({"jobReference":{"projectId":"p","location":"EU"},
      "jobComplete":true,"schema":{"fields":[{"name":"a","type":"STRING"}]},
      "totalBytesProcessed":"42"})",
                            "t");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_FALSE(p->job.has_value());
  EXPECT_EQ(p->location, "EU");
  EXPECT_EQ(p->total_bytes_processed, 42);
}

TEST(BqResponse, BadPagesNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not a JSON object"},
      {"[]", "not a JSON object"},
      {R"({"jobComplete":"yes"})", "'jobComplete'"},
      {R"({"jobReference":{"jobId":5}})", "'jobId'"},
      {R"({"totalRows":"many"})", "'totalRows'"},
      {R"({"totalRows":"-1"})", "'totalRows'"},
      {R"({"rows":{}})", "'rows'"},
      {R"({"rows":[]})", "'schema'"},
      {R"({"pageToken":5})", "'pageToken'"},
      {R"({"schema":{"fields":[{"name":"a"}]}})", "'a'"},
      {R"({"totalBytesProcessed":true})", "'totalBytesProcessed'"},
  };
  for (const auto& [body, needle] : cases) {
    auto p = parse_query_page(body, "getQueryResults for job j");
    ASSERT_FALSE(p.has_value()) << body;
    EXPECT_EQ(p.error().code, Errc::upstream_error);
    EXPECT_NE(p.error().message.find(needle), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().message.find("getQueryResults for job j"), std::string::npos);
  }
}

std::string error_body(int code, const char* reason, const char* message,
                       const char* status = "INVALID_ARGUMENT") {
  nlohmann::json j = {
      {"error",
       {{"code", code},
        {"message", message},
        {"errors",
         {{{"message", message}, {"domain", "global"}, {"reason", reason}, {"location", "q"}}}},
        {"status", status}}}};
  return j.dump();
}

TEST(BqResponse, InvalidQueryKeepsMessageAndPosition) {
  BqError e = classify_error(
      400,
      error_body(400, "invalidQuery", "Syntax error: Unexpected identifier \"SELEC\" at [2:7]"));
  EXPECT_EQ(e.code, Errc::invalid_query);
  EXPECT_EQ(e.action, RetryAction::fail);
  EXPECT_EQ(e.reason, "invalidQuery");
  EXPECT_EQ(e.location, "q");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 7);
  Error err = bq_error_to_error(e, "BigQuery jobs.query");
  EXPECT_EQ(err.code, Errc::invalid_query);
  EXPECT_EQ(err.message,
            "BigQuery jobs.query answered HTTP 400 (invalidQuery): Syntax error: Unexpected "
            "identifier \"SELEC\" at [2:7]");
  EXPECT_EQ(http_status(Errc::invalid_query), 400);
  EXPECT_EQ(to_string(Errc::invalid_query), "invalid_query");
}

TEST(BqResponse, ReasonsMapToCodesAndActions) {
  struct Case {
    int status;
    const char* reason;
    Errc code;
    RetryAction action;
  };
  const Case cases[] = {
      {400, "invalid", Errc::bad_request, RetryAction::fail},
      {403, "accessDenied", Errc::access_denied, RetryAction::fail},
      {404, "notFound", Errc::not_found, RetryAction::fail},
      {409, "duplicate", Errc::conflict, RetryAction::fail},
      {403, "quotaExceeded", Errc::quota_exceeded, RetryAction::fail},
      {403, "rateLimitExceeded", Errc::rate_limited, RetryAction::retry},
      {429, "rateLimitExceeded", Errc::rate_limited, RetryAction::retry},
      {400, "jobRateLimitExceeded", Errc::rate_limited, RetryAction::retry},
      {500, "internalError", Errc::backend_error, RetryAction::retry},
      {503, "backendError", Errc::backend_error, RetryAction::retry},
      {502, "badGateway", Errc::backend_error, RetryAction::retry},
      {400, "jobBackendError", Errc::backend_error, RetryAction::retry},
      {403, "responseTooLarge", Errc::upstream_error, RetryAction::fail},
      {401, "authError", Errc::needs_login, RetryAction::refresh},
      {503, "somethingNew", Errc::backend_error, RetryAction::retry},
      {504, "", Errc::backend_error, RetryAction::retry},
      {408, "", Errc::backend_error, RetryAction::retry},
      {429, "", Errc::rate_limited, RetryAction::retry},
      {404, "", Errc::not_found, RetryAction::fail},
      {418, "", Errc::upstream_error, RetryAction::fail},
  };
  for (const auto& c : cases) {
    BqError e = classify_error(c.status, error_body(c.status, c.reason, "m"));
    EXPECT_EQ(e.code, c.code) << c.status << " " << c.reason;
    EXPECT_EQ(e.action, c.action) << c.status << " " << c.reason;
  }
  EXPECT_EQ(http_status(Errc::rate_limited), 429);
  EXPECT_EQ(http_status(Errc::access_denied), 403);
}

TEST(BqResponse, MissingScopeHintsAtLogin) {
  // What Google sends for a token without a BigQuery scope.
  const char* body =
      R"({"error":{"code":403,"message":"Request had insufficient authentication scopes.",
      "errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],
      "status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",
      "reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT","domain":"googleapis.com"}]}})";
  BqError e = classify_error(403, body);
  EXPECT_EQ(e.code, Errc::scope_not_granted);
  EXPECT_EQ(e.action, RetryAction::fail);
  EXPECT_NE(e.hint.find("bqbroker login --scope bigquery"), std::string::npos);
  EXPECT_EQ(e.message, "Request had insufficient authentication scopes.");
  EXPECT_EQ(classify_error(403, error_body(403, "insufficientPermissions", "m")).code,
            Errc::scope_not_granted);
}

TEST(BqResponse, UnauthorizedAsksForARefresh) {
  BqError e = classify_error(
      401,
      R"({"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}})");
  EXPECT_EQ(e.action, RetryAction::refresh);
  EXPECT_EQ(e.code, Errc::needs_login);
  EXPECT_EQ(e.status, "UNAUTHENTICATED");
  EXPECT_FALSE(e.hint.empty());
}

TEST(BqResponse, NonJsonBodiesAreClassifiedByStatusAndSanitized) {
  BqError e =
      classify_error(502, "<html>Bad Gateway\x01 ya29.a0AfH6SMBxxxxxxxxxxxxxxxxxxxxxxxxx</html>");
  EXPECT_EQ(e.code, Errc::backend_error);
  EXPECT_EQ(e.action, RetryAction::retry);
  EXPECT_EQ(e.message.find('\x01'), std::string::npos);
  EXPECT_EQ(e.message.find("ya29.a0AfH6SMB"), std::string::npos) << e.message;
  EXPECT_EQ(classify_error(500, "").code, Errc::backend_error);
  EXPECT_EQ(classify_error(400, "").code, Errc::upstream_error);
}

TEST(BqResponse, SqlPositions) {
  EXPECT_EQ(sql_position("x at [12:345]"), (std::pair{12, 345}));
  EXPECT_EQ(sql_position("[a] then at [1:2]"), (std::pair{1, 2}));
  EXPECT_FALSE(sql_position("no position").has_value());
  EXPECT_FALSE(sql_position("at [1:]").has_value());
  EXPECT_FALSE(sql_position("at [0:3]").has_value());
  EXPECT_FALSE(sql_position("at [1:2").has_value());
}

}  // namespace
}  // namespace bqb::bq
