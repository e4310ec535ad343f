// FakeBigQuery driven through handle(), as the HTTP server drives it, with a stub token check.

#include "fakes/bigquery/fake_bigquery.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "fakes/bigquery/wire.h"

namespace bqb::fakes::bigquery {
namespace {

using nlohmann::json;

constexpr std::string_view kBq = "https://www.googleapis.com/auth/bigquery";
constexpr std::string_view kReadOnly = "https://www.googleapis.com/auth/bigquery.readonly";

class FakeBigQueryTest : public ::testing::Test {
 protected:
  FakeBigQueryTest()
      : fake_([this](std::string_view token, Clock::time_point) -> std::optional<ScopeList> {
          auto it = tokens_.find(std::string(token));
          if (it == tokens_.end()) return std::nullopt;
          return it->second;
        }) {
    tokens_["ya29.good"] = {"openid", std::string(kBq)};
    tokens_["ya29.readonly"] = {std::string(kReadOnly)};
    tokens_["ya29.noscope"] = {"openid", "https://www.googleapis.com/auth/userinfo.email"};
  }

  FakeResponse call(std::string method, std::string target, std::string body = {},
                    std::string token = "ya29.good") {
    FakeRequest req{std::move(method), std::move(target), "application/json", std::move(body), {}};
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    req.headers.emplace_back("x-goog-user-project", "billing-proj");
    return fake_.handle(req, Clock::now());
  }

  FakeResponse query(json body, std::string token = "ya29.good") {
    return call("POST", "/bigquery/v2/projects/p/queries", body.dump(), std::move(token));
  }

  json stats() { return json::parse(call("GET", "/_fake/bigquery/stats").body); }

  void script(json j) {
    FakeResponse r = call("POST", "/_fake/bigquery/results", j.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  static json body(const FakeResponse& r) { return json::parse(r.body); }
  static std::string reason(const FakeResponse& r) {
    return body(r)["error"]["errors"][0]["reason"].get<std::string>();
  }

  std::map<std::string, ScopeList> tokens_;
  FakeBigQuery fake_;
};

json standard(std::string q) {
  return {{"query", std::move(q)},
          {"useLegacySql", false},
          {"formatOptions", {{"useInt64Timestamp", true}}}};
}

json five_rows() {
  json rows = json::array();
  for (int i = 0; i < 5; ++i) rows.push_back({{"f", {{{"v", std::to_string(i)}}}}});
  return rows;
}

TEST_F(FakeBigQueryTest, ChecksTheBearerTokenAndItsScope) {
  FakeResponse none = query(standard("SELECT 1"), "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(reason(none), "required");
  FakeResponse bad = query(standard("SELECT 1"), "ya29.unknown");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(reason(bad), "authError");
  FakeResponse scope = query(standard("SELECT 1"), "ya29.noscope");
  EXPECT_EQ(scope.status, 403);
  EXPECT_EQ(reason(scope), "insufficientPermissions");
  EXPECT_EQ(body(scope)["error"]["details"][0]["reason"], "ACCESS_TOKEN_SCOPE_INSUFFICIENT");
  EXPECT_EQ(query(standard("SELECT 1"), "ya29.readonly").status, 200);
  EXPECT_EQ(stats()["requests"]["unauthenticated"], 2);
  EXPECT_EQ(stats()["requests"]["insufficient_scope"], 1);
  EXPECT_EQ(stats()["requests"]["query"], 1);
  EXPECT_EQ(call("GET", "/bigquery/v2/projects/p/queries").status, 405);
  EXPECT_EQ(call("GET", "/bigquery/v2/projects/p/tables").status, 404);
}

TEST_F(FakeBigQueryTest, BuiltinSelectOneAndUnknownQueries) {
  FakeResponse one = query(standard("SELECT 1"));
  ASSERT_EQ(one.status, 200) << one.body;
  json b = body(one);
  EXPECT_TRUE(b["jobComplete"].get<bool>());
  EXPECT_EQ(b["rows"], json::parse(R"([{"f":[{"v":"1"}]}])"));
  EXPECT_EQ(b["totalRows"], "1");
  FakeResponse unknown = query(standard("SELECT 2"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(reason(unknown), "invalidQuery");
}

TEST_F(FakeBigQueryTest, LegacySqlIsTheApiDefault) {
  FakeResponse r = query({{"query", "SELECT 1"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(reason(r), "invalidQuery");
  EXPECT_NE(body(r)["error"]["message"].get<std::string>().find("Legacy SQL"), std::string::npos);
}

TEST_F(FakeBigQueryTest, BadBodies) {
  EXPECT_EQ(call("POST", "/bigquery/v2/projects/p/queries", "{nope").status, 400);
  EXPECT_EQ(reason(query(json::object())), "required");
  EXPECT_EQ(reason(query({{"query", "SELECT 1"}, {"useLegacySql", "false"}})), "invalid");
}

TEST_F(FakeBigQueryTest, PollsThenPagesWithLongPollDelays) {
  script({{"query", "SELECT n"},
          {"schema", {{"fields", {{{"name", "n"}, {"type", "INTEGER"}}}}}},
          {"rows", five_rows()},
          {"page_size", 2},
          {"polls_before_complete", 2},
          {"poll_delay_ms", 5000},
          {"total_bytes_processed", 123}});
  json q = standard("SELECT n");
  q["timeoutMs"] = 100;
  FakeResponse first = query(q);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_FALSE(body(first)["jobComplete"].get<bool>());
  EXPECT_EQ(first.delay, std::chrono::milliseconds(100));  // capped by timeoutMs
  const std::string job = body(first)["jobReference"]["jobId"];
  const std::string base = "/bigquery/v2/projects/p/queries/" + job + "?location=US";

  FakeResponse poll = call("GET", base + "&timeoutMs=3000");
  EXPECT_FALSE(body(poll)["jobComplete"].get<bool>());
  EXPECT_EQ(poll.delay, std::chrono::milliseconds(3000));

  json seen = json::array();
  std::string token;
  int pages = 0;
  do {
    FakeResponse page = call("GET", base + "&formatOptions.useInt64Timestamp=true&timeoutMs=3000" +
                                        (token.empty() ? "" : "&pageToken=" + token));
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(page.delay, std::chrono::milliseconds(0));  // done: no waiting
    json b = body(page);
    EXPECT_TRUE(b["jobComplete"].get<bool>());
    EXPECT_EQ(b["totalRows"], "5");
    EXPECT_EQ(b["totalBytesProcessed"], "123");
    for (const auto& r : b["rows"]) seen.push_back(r);
    token = b.value("pageToken", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, five_rows());
  // maxResults narrows a page.
  json small = body(call("GET", base + "&maxResults=1"));
  EXPECT_EQ(small["rows"].size(), 1u);
  EXPECT_EQ(small["pageToken"], "fake-page-1");
  EXPECT_EQ(call("GET", base + "&pageToken=garbage").status, 400);
}

TEST_F(FakeBigQueryTest, FaultsThenSuccessAndRequestIdDeduplicates) {
  script({{"query", "SELECT 1 AS x"},
          {"schema", {{"fields", {{{"name", "x"}, {"type", "INTEGER"}}}}}},
          {"rows", json::parse(R"([{"f":[{"v":"1"}]}])")},
          {"faults", {{{"reason", "backendError"}, {"count", 2}}}}});
  json q = standard("SELECT 1 AS x");
  q["requestId"] = "11111111-2222-3333-4444-555555555555";
  FakeResponse a = query(q);
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(reason(a), "backendError");
  EXPECT_EQ(query(q).status, 503);
  FakeResponse ok = query(q);
  ASSERT_EQ(ok.status, 200) << ok.body;
  FakeResponse again = query(q);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(body(again)["jobReference"], body(ok)["jobReference"]);
  json s = stats();
  EXPECT_EQ(s["requests"]["query"], 4);
  EXPECT_EQ(s["query_log"][3]["deduplicated"], true);
  EXPECT_EQ(s["query_log"][0]["requestId"], q["requestId"]);
  EXPECT_EQ(s["query_log"][0]["status"], 503);
  EXPECT_EQ(s["query_log"][0]["user_project"], "billing-proj");
  EXPECT_EQ(s["query_log"][0]["formatOptions"]["useInt64Timestamp"], true);
}

TEST_F(FakeBigQueryTest, NetworkFaultsSkipCutAndGarbage) {
  script({{"query", "SELECT 1 AS x"},
          {"schema", {{"fields", {{{"name", "x"}, {"type", "INTEGER"}}}}}},
          {"rows", json::parse(R"([{"f":[{"v":"1"}]}])")},
          {"faults",
           {{{"skip", 1}, {"cut", true}},
            {{"reason", "rateLimitExceeded"}, {"status", 429}, {"retry_after", 2}},
            {{"body", "<html>not json"}},
            {{"hang", true}},
            {{"close", true}}}}});
  const json q = standard("SELECT 1 AS x");
  FakeResponse skipped = query(q);  // skip 1: served normally
  EXPECT_EQ(skipped.status, 200);
  EXPECT_FALSE(skipped.cut_mid_body);
  FakeResponse cut = query(q);  // a cut alone: the processed answer, cut
  EXPECT_EQ(cut.status, 200);
  EXPECT_TRUE(cut.cut_mid_body);
  EXPECT_TRUE(body(cut).contains("rows")) << cut.body;
  FakeResponse limited = query(q);
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.cut_mid_body);
  EXPECT_NE(std::find(limited.headers.begin(), limited.headers.end(),
                      std::pair<std::string, std::string>{"Retry-After", "2"}),
            limited.headers.end());
  FakeResponse garbage = query(q);
  EXPECT_EQ(garbage.status, 200);
  EXPECT_EQ(garbage.body, "<html>not json");
  EXPECT_EQ(query(q).delay, kHang);
  EXPECT_TRUE(query(q).close_without_answer);
  FakeResponse after = query(q);
  EXPECT_EQ(after.status, 200);
  EXPECT_FALSE(after.cut_mid_body);
  EXPECT_EQ(after.delay, std::chrono::milliseconds(0));
}

TEST_F(FakeBigQueryTest, ScriptedJobErrorAfterPolls) {
  script({{"query", "SELECT bad"},
          {"polls_before_complete", 1},
          {"error", {{"reason", "invalidQuery"}, {"message", "Unrecognized name: bad at [1:8]"}}}});
  FakeResponse first = query(standard("SELECT bad"));
  ASSERT_EQ(first.status, 200);
  const std::string job = body(first)["jobReference"]["jobId"];
  FakeResponse done = call("GET", "/bigquery/v2/projects/p/queries/" + job);
  EXPECT_EQ(done.status, 400);
  EXPECT_EQ(body(done)["error"]["message"], "Unrecognized name: bad at [1:8]");
  json j = body(call("GET", "/bigquery/v2/projects/p/jobs/" + job));
  EXPECT_EQ(j["status"]["state"], "DONE");
  EXPECT_EQ(j["status"]["errorResult"]["reason"], "invalidQuery");
}

TEST_F(FakeBigQueryTest, CancelIsObservable) {
  script({{"query", "SELECT slow"}, {"polls_before_complete", 100}});
  const std::string job = body(query(standard("SELECT slow")))["jobReference"]["jobId"];
  EXPECT_EQ(body(call("GET", "/bigquery/v2/projects/p/jobs/" + job))["status"]["state"], "RUNNING");
  EXPECT_EQ(
      call("POST", "/bigquery/v2/projects/p/jobs/" + job + "/cancel", "", "ya29.readonly").status,
      403);  // cancelling needs the full bigquery scope
  FakeResponse c = call("POST", "/bigquery/v2/projects/p/jobs/" + job + "/cancel?location=US");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(body(c)["job"]["status"]["state"], "DONE");
  FakeResponse after = call("GET", "/bigquery/v2/projects/p/queries/" + job);
  EXPECT_EQ(after.status, 400);
  EXPECT_EQ(reason(after), "stopped");
  EXPECT_EQ(stats()["cancelled"], json::array({job}));
  EXPECT_EQ(call("GET", "/bigquery/v2/projects/p/jobs/" + job + "?location=EU").status, 404);
  EXPECT_EQ(call("GET", "/bigquery/v2/projects/other/jobs/" + job).status, 404);
}

TEST_F(FakeBigQueryTest, TimestampsFollowFormatOptions) {
  script({{"query", "SELECT ts"},
          {"schema", json::parse(R"({"fields":[{"name":"t","type":"TIMESTAMP"},
              {"name":"r","type":"RECORD","mode":"REPEATED","fields":[{"name":"u","type":"TIMESTAMP"}]}]})")},
          {"rows",
           json::parse(
               R"([{"f":[{"v":"1433836800000000"},{"v":[{"v":{"f":[{"v":"1500000"}]}}]}]}])")}});
  json int64 = body(query(standard("SELECT ts")));
  EXPECT_EQ(int64["rows"][0]["f"][0]["v"], "1433836800000000");
  json q = standard("SELECT ts");
  q.erase("formatOptions");
  json floats = body(query(q));
  EXPECT_EQ(floats["rows"][0]["f"][0]["v"], "1.4338368E9");
  EXPECT_EQ(floats["rows"][0]["f"][1]["v"][0]["v"]["f"][0]["v"], "1.5E0");
}

TEST_F(FakeBigQueryTest, JobCreationOptionalAndDryRun) {
  json q = standard("SELECT 1");
  q["jobCreationMode"] = "JOB_CREATION_OPTIONAL";
  json b = body(query(q));
  EXPECT_FALSE(b.contains("jobReference"));
  EXPECT_TRUE(b["queryId"].is_string());
  EXPECT_EQ(b["rows"].size(), 1u);

  json d = standard("SELECT 1");
  d["dryRun"] = true;
  json dry = body(query(d));
  EXPECT_TRUE(dry["jobComplete"].get<bool>());
  EXPECT_FALSE(dry.contains("rows"));
  EXPECT_FALSE(dry["jobReference"].contains("jobId"));
  EXPECT_TRUE(dry["schema"]["fields"].is_array());
}

TEST_F(FakeBigQueryTest, ControlApiRefusesBadScripts) {
  EXPECT_EQ(call("POST", "/_fake/bigquery/results", R"({"rows":[]})").status, 400);
  EXPECT_EQ(call("POST", "/_fake/bigquery/results", R"({"query":"q","rows":{}})").status, 400);
  EXPECT_EQ(
      call("POST", "/_fake/bigquery/results", R"({"query":"q","error":{"status":200}})").status,
      400);
  EXPECT_EQ(call("POST", "/_fake/bigquery/results", "nope").status, 400);
  // A fault's delivery fields are checked as the token endpoint's are (delivery_fault.h).
  EXPECT_EQ(
      call("POST", "/_fake/bigquery/results", R"({"query":"q","faults":[{"delay_ms":-1}]})").status,
      400);
  EXPECT_EQ(
      call("POST", "/_fake/bigquery/results", R"({"query":"q","faults":[{"count":0}]})").status,
      400);
  EXPECT_EQ(call("GET", "/_fake/bigquery/nothing").status, 404);
}

TEST(FakeBigQueryWire, FloatSeconds) {
  EXPECT_EQ(float_seconds(1433836800000000), "1.4338368E9");
  EXPECT_EQ(float_seconds(0), "0.0E0");
  EXPECT_EQ(float_seconds(-1500000), "-1.5E0");
  EXPECT_EQ(float_seconds(1000000000000000), "1.0E9");
  // The microseconds survive (a client reading float seconds can recover them).
  EXPECT_EQ(float_seconds(1704067200123456), "1.704067200123456E9");
  EXPECT_EQ(float_seconds(-1), "-1.0E-6");
}

}  // namespace
}  // namespace bqb::fakes::bigquery
