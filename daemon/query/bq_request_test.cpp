#include "daemon/query/bq_request.h"

#include <gtest/gtest.h>

namespace bqb::bq {
namespace {

using nlohmann::json;

/// @returns a scalar parameter (`name` empty: positional) as the daemon's parser makes it.
QueryParameter scalar(std::string name, std::string type, std::string value) {
  return QueryParameter{std::move(name), ParamType{std::move(type), {}, {}},
                        ParamValue{false, std::move(value), {}, {}}};
}

QueryRequest minimal() {
  QueryRequest r;
  r.project = "my-proj";
  r.query = "SELECT 1";
  return r;
}

TEST(BqRequest, MinimalBodyIsStandardSqlWithInt64Timestamps) {
  auto b = query_request_body(minimal());
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_EQ(
      b->dump(),
      R"({"formatOptions":{"useInt64Timestamp":true},"query":"SELECT 1","useLegacySql":false})");
}

TEST(BqRequest, EveryOptionOnTheWire) {
  QueryRequest r = minimal();
  r.location = "EU";
  r.default_dataset = DatasetRef{"p2", "ds"};
  r.page_size = 500;
  r.dry_run = true;
  r.timeout_ms = 10000;
  r.maximum_bytes_billed = 1000000000000;
  r.labels = {{"team", "data"}};
  r.use_query_cache = false;
  r.request_id = "123e4567-e89b-12d3-a456-426614174000";
  r.job_creation_optional = true;
  r.parameters.push_back(scalar("n", "INT64", "5"));
  r.parameters.push_back(scalar("s", "STRING", "x"));
  auto b = query_request_body(r);
  ASSERT_TRUE(b.has_value()) << b.error().message;
  const json& j = *b;
  EXPECT_EQ(j["location"], "EU");
  EXPECT_EQ(j["defaultDataset"], json::parse(R"({"projectId":"p2","datasetId":"ds"})"));
  EXPECT_EQ(j["maxResults"], 500);
  EXPECT_EQ(j["dryRun"], true);
  EXPECT_EQ(j["timeoutMs"], 10000);
  EXPECT_EQ(j["maximumBytesBilled"], "1000000000000");
  EXPECT_EQ(j["labels"], json::parse(R"({"team":"data"})"));
  EXPECT_EQ(j["useQueryCache"], false);
  EXPECT_EQ(j["requestId"], r.request_id);
  EXPECT_EQ(j["jobCreationMode"], "JOB_CREATION_OPTIONAL");
  EXPECT_EQ(j["parameterMode"], "NAMED");
  ASSERT_EQ(j["queryParameters"].size(), 2u);
  EXPECT_EQ(j["queryParameters"][1]["name"], "s");
}

TEST(BqRequest, PositionalParameters) {
  QueryRequest r = minimal();
  r.parameters.push_back(scalar("", "INT64", "1"));
  r.parameters.push_back(scalar("", "STRING", "a"));
  auto b = query_request_body(r);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ((*b)["parameterMode"], "POSITIONAL");
  EXPECT_FALSE((*b)["queryParameters"][0].contains("name"));
}

TEST(BqRequest, RefusesBadRequests) {
  const auto check = [](QueryRequest r, const char* field) {
    auto b = query_request_body(r);
    ASSERT_FALSE(b.has_value()) << field;
    EXPECT_EQ(b.error().code, Errc::bad_request);
    EXPECT_NE(b.error().message.find(field), std::string::npos) << b.error().message;
  };
  QueryRequest r = minimal();
  r.query.clear();
  check(r, "'query'");
  r = minimal();
  r.project.clear();
  check(r, "'project'");
  r = minimal();
  r.request_id = std::string(37, 'a');
  check(r, "'requestId'");
  r = minimal();
  r.page_size = -1;
  check(r, "'page_size'");
  r = minimal();
  r.maximum_bytes_billed = -5;
  check(r, "'maximum_bytes_billed'");
  r = minimal();
  r.parameters = {scalar("a", "INT64", "1"), scalar("", "INT64", "2")};
  check(r, "mix named and positional");
  r = minimal();
  r.use_legacy_sql = true;
  r.parameters = {scalar("a", "INT64", "1")};
  check(r, "standard SQL");
}

TEST(BqRequest, Targets) {
  EXPECT_EQ(queries_target("my-proj"), "/projects/my-proj/queries");
  EXPECT_EQ(queries_target("example.com:p"), "/projects/example.com%3Ap/queries");
  ResultsPageRequest g{"p", "job_1", "EU", "tok/+=", 100, 10000, std::nullopt};
  EXPECT_EQ(get_query_results_target(g),
            "/projects/p/queries/job_1?location=EU&pageToken=tok%2F%2B%3D&maxResults=100"
            "&timeoutMs=10000&formatOptions.useInt64Timestamp=true");
  EXPECT_EQ(get_query_results_target({"p", "j", {}, {}, {}, {}, 5}),
            "/projects/p/queries/j?startIndex=5&formatOptions.useInt64Timestamp=true");
  EXPECT_EQ(cancel_target("p", "j", std::string("US")), "/projects/p/jobs/j/cancel?location=US");
}

TEST(BqRequest, DatasetRefs) {
  EXPECT_EQ(parse_dataset_ref("p.d", "def").value(), (DatasetRef{"p", "d"}));
  EXPECT_EQ(parse_dataset_ref("p:d", "def").value(), (DatasetRef{"p", "d"}));
  EXPECT_EQ(parse_dataset_ref("d", "def").value(), (DatasetRef{"def", "d"}));
  EXPECT_EQ(parse_dataset_ref("example.com:p.d", "def").value(),
            (DatasetRef{"example.com:p", "d"}));
  for (std::string_view bad : {"", "p.", ".d", "a.b.c", ":d"}) {
    EXPECT_FALSE(parse_dataset_ref(bad, "def").has_value()) << bad;
  }
  EXPECT_FALSE(parse_dataset_ref("d", "").has_value());
}

}  // namespace
}  // namespace bqb::bq
