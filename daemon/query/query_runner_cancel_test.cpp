// QueryRunner: cancelling jobs nobody will read (a failed poll, a client that left) and
// cancel_job for DELETE /v1/jobs.

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/query_runner_test_support.h"

namespace bqb::test {
namespace {

TEST_F(QueryRunnerTest, APollThatFailsCancelsTheRunningJob) {
  http_.ok(incomplete());
  http_.error(400, "invalidQuery", "Division by zero at [2:3]");
  http_.ok({{"kind", "bigquery#jobCancelResponse"}});
  run(spec());
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "progress", "error"}));
  EXPECT_EQ(stream_.lines().back()["error"]["line"], 2);
  ASSERT_EQ(http_.requests.size(), 3u);
  EXPECT_EQ(http_.requests[2].method, "POST");
  EXPECT_EQ(http_.requests[2].url,
            std::string(kRoot) + "/projects/proj/jobs/job_1/cancel?location=US");
}

TEST_F(QueryRunnerTest, AClientThatLeavesWhileTheJobRunsGetsItCancelled) {
  http_.ok(incomplete());
  http_.ok({{"kind", "bigquery#jobCancelResponse"}});
  stream_.refuse_writes_from = 2;  // the first progress line finds the client gone
  run(spec());
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(http_.requests[1].method, "POST");
  EXPECT_EQ(http_.requests[1].url,
            std::string(kRoot) + "/projects/proj/jobs/job_1/cancel?location=US");
}

TEST_F(QueryRunnerTest, ADisconnectNoticedDuringAPollCancelsTheJob) {
  http_.ok(incomplete());
  http_.ok(incomplete());
  http_.ok({{"kind", "bigquery#jobCancelResponse"}});
  http_.on_request = [&](const HttpRequest& r) {
    if (r.method == "GET") stream_.gone = true;
  };
  run(spec());
  ASSERT_EQ(http_.requests.size(), 3u);
  EXPECT_NE(http_.requests[2].url.find("/jobs/job_1/cancel"), std::string::npos);
  EXPECT_EQ(stream_.types(), (std::vector<std::string>{"job", "progress"}));
}

TEST_F(QueryRunnerTest, CancelJobReportsTheStateAfterTheRequest) {
  http_.ok({{"kind", "bigquery#jobCancelResponse"},
            {"job", {{"jobReference", job_ref("job_9")}, {"status", {{"state", "RUNNING"}}}}}});
  QueryRunner runner(http_, tokens_, options_);
  std::optional<QueryResult<api::JobCancelResult>> out;
  asio::co_spawn(io_, runner.cancel_job(std::nullopt, "proj", "job_9", std::nullopt, {}),
                 [&](std::exception_ptr, QueryResult<api::JobCancelResult> r) { out = r; });
  ASSERT_TRUE(run_until([&] { return out.has_value(); }));
  ASSERT_TRUE(*out) << (*out).error().error.message;
  EXPECT_EQ((*out)->state, "RUNNING");
  EXPECT_EQ((*out)->location, "US");
  EXPECT_EQ(http_.requests[0].url, std::string(kRoot) + "/projects/proj/jobs/job_9/cancel");

  http_.error(404, "notFound", "Not found: Job proj:job_x");
  out.reset();
  asio::co_spawn(io_, runner.cancel_job(std::nullopt, "proj", "job_x", "EU", {}),
                 [&](std::exception_ptr, QueryResult<api::JobCancelResult> r) { out = r; });
  ASSERT_TRUE(run_until([&] { return out.has_value(); }));
  ASSERT_FALSE(*out);
  EXPECT_EQ((*out).error().error.code, Errc::not_found);
  EXPECT_EQ((*out).error().reason, "notFound");
}

}  // namespace
}  // namespace bqb::test
