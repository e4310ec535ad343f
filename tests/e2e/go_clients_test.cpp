// Debian's unmodified Go Google client libraries under `bqbroker exec`: tests/go's bqbgo, built
// offline from /usr/share/gocode (golang-golang-x-oauth2-google-dev 0.3,
// golang-google-cloud-dev 0.56), with GOOGLE_APPLICATION_CREDENTIALS pointing at a file that does
// not exist (exec must drop it, or ADC fails on it). It must
//   (a) find credentials through Application Default Credentials (google.FindDefaultCredentials
//       → the metadata server; metadata.OnGCE, ProjectID, Email("default") answer),
//   (b) hold a token the Google server issued for the signed-in account, live there,
//   (c) read, through cloud.google.com/go/bigquery (no credentials given: it finds them itself),
//       the rows `bqbroker query --format json` prints for the same SQL, value by value by type
//       (typed_compare.h): a query job's rows come from its anonymous destination table
//       (jobs.insert, getQueryResults?maxResults=0, tabledata.list in pages), a table's from
//       tables.get + tabledata.list.
//
// Real differences, asserted so that this list stays true (tests/e2e/README.md):
// - The Go client 0.56 knows no BIGNUMERIC or JSON column: reading one fails with "unrecognized
//   type". The all_types query leaves those two out; `SELECT *` must fail that way.
// - tabledata.list sends TIMESTAMPs as float seconds (the client asks for nothing else), and the
//   client rounds them into time.Time: an instant far from 1970 loses microseconds to the double
//   (9999-12-31T23:59:59.999999Z reads as 10000-01-01T00:00:00Z), and a negative sub-second one
//   rounds toward zero (1969-12-31T23:59:59.999999Z reads as 1970-01-01T00:00:00Z).

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/library_exec.h"
#include "tests/e2e/typed_compare.h"
#include "tests/support/harness.h"

#ifndef BQB_E2E_GO_BINARY
#error "BQB_E2E_GO_BINARY must be defined by the build (tests/go)"
#endif

namespace bqb::e2e {
namespace {

using itest::ExitStatus;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kAccount = "go@example.com";

/// A query, or a table read (`table` set; `query.sql` reads the same rows for `bqbroker query`).
struct Read {
  SampleQuery query;
  std::string table;
  int page_size = 0;  // the iterator's PageInfo().MaxSize: tabledata.list's maxResults
};

// Every column the Go client can read (not bignum, j), NULLs and edges, in pages of 300.
const Read kAllTypes{{"all_types",
                      "SELECT id, i64, f64, num, flag, s, b, d, dt, t, ts, tags, address, lines\n"
                      "FROM samples.all_types ORDER BY id",
                      {}},
                     "",
                     300};
// A table, not a query: tables.get (the client has no schema) and tabledata.list, 3 pages.
// `SELECT *` without ORDER BY reads it in the same (storage) order.
const Read kTable{{"table_read", "SELECT * FROM samples.names", {}}, "samples.names", 1500};
// What the client cannot read.
const Read kBigNumeric{{"select_star", "SELECT * FROM samples.all_types", {}}, "", 0};

json go_jobs(const std::vector<Read>& reads) {
  json out = json::array();
  for (const auto& r : reads) {
    json item = r.table.empty() ? json{{"sql", r.query.sql}} : json{{"table", r.table}};
    if (r.page_size > 0) item["page_size"] = r.page_size;
    for (const auto& p : r.query.params) {
      item["params"][p.name] = {{"type", p.type}, {"value", p.value}};
    }
    out.push_back(item);
  }
  return out;
}

class GoClientsTest : public LibraryExecTest {
 protected:
  GoClientsTest() : LibraryExecTest(std::string(kAccount)) {}
};

/// The float-seconds TIMESTAMP differences named at the top, which must be exactly those.
bool known_timestamp_difference(const Difference& d) {
  const std::string theirs = d.theirs.value("time.Time", "");
  return d.type == "TIMESTAMP" && d.ours.is_string() &&
         ((d.ours == "9999-12-31T23:59:59.999999Z" && theirs == "10000-01-01T00:00:00Z") ||
          (d.ours == "1969-12-31T23:59:59.999999Z" && theirs == "1970-01-01T00:00:00Z"));
}

TEST_F(GoClientsTest, DebianGoLibrariesFindTheEndpointAndReadBqbrokerQueryRows) {
  const std::filesystem::path go_binary = BQB_E2E_GO_BINARY;
  ASSERT_TRUE(std::filesystem::exists(go_binary))
      << go_binary << " is built with the tests (tests/go; Debian's golang-go and Google's Go "
      << "libraries: scripts/install-deps.sh)";
  ASSERT_NO_FATAL_FAILURE(sign_in());

  const std::vector<Read> reads{
      kAllTypes, {kAggregateQuery, "", 0}, {kNamedParamsQuery, "", 0}, kTable, kBigNumeric};
  const auto jobs_file = sandbox_.unique_path("go-jobs", ".json");
  std::ofstream(jobs_file) << go_jobs(reads).dump();
  const json out = exec_json({go_binary.string(), google_.base_url(), jobs_file.string()});
  ASSERT_TRUE(out.is_object() && out.contains("results")) << out.dump().substr(0, 2000);

  // (a) Application Default Credentials: the metadata server, found by the libraries.
  const json& adc = out["adc"];
  const json& md = out["metadata"];
  EXPECT_EQ(md.value("on_gce", false), true) << md;
  EXPECT_EQ(md.value("email", ""), kAccount);
  EXPECT_EQ(md.value("project_id", ""), kSampleProject);
  EXPECT_EQ(adc.value("project_id", ""), kSampleProject) << adc;
  EXPECT_EQ(adc.value("token_type", ""), "Bearer");
  EXPECT_FALSE(adc.value("expiry", "").empty()) << adc;

  // (b) The token is one the server issued for this account, and live there.
  ASSERT_TRUE(expect_issued_and_live(adc));
  // Go: no probe (GCE_METADATA_HOST is set); the project, the token for FindDefaultCredentials,
  // metadata.Email, then the BigQuery client's own token (its scopes in the query string).
  EXPECT_EQ(metadata_requests(),
            (std::vector<std::string>{
                "GET /computeMetadata/v1/project/project-id 200",
                "GET /computeMetadata/v1/instance/service-accounts/default/token 200",
                "GET /computeMetadata/v1/instance/service-accounts/default/email 200",
                "GET /computeMetadata/v1/instance/service-accounts/default/token 200"}));

  // (c) The rows, value by value.
  const json& results = out["results"];
  ASSERT_EQ(results.size(), reads.size()) << out.dump().substr(0, 2000);
  std::size_t known = 0;
  for (std::size_t i = 0; i + 1 < reads.size(); ++i) {
    SCOPED_TRACE(reads[i].query.what);
    ASSERT_FALSE(results[i].contains("error")) << results[i]["error"];
    const json& schema = results[i]["schema"];
    ASSERT_TRUE(schema.is_array() && !schema.empty()) << results[i].dump().substr(0, 2000);
    const json our_rows = bqbroker_rows(reads[i].query);
    ASSERT_TRUE(our_rows.is_array());
    EXPECT_FALSE(our_rows.empty());
    for (const auto& d : compare_rows(schema, our_rows, results[i]["rows"], kGoTypes)) {
      if (reads[i].query.what == kAllTypes.query.what && known_timestamp_difference(d)) {
        ++known;
      } else {
        ADD_FAILURE() << describe(d);
      }
    }
  }
  EXPECT_EQ(known, 2u) << "the float-seconds TIMESTAMP rows (ids 0 and -1) no longer differ: "
                          "update this test and tests/e2e/README.md";
  EXPECT_NE(results.back().value("error", "").find("unrecognized type: BIGNUMERIC"),
            std::string::npos)
      << results.back().dump().substr(0, 500);

  // How the client read them: jobs.insert, a wait without rows, the destination tables in pages.
  const auto stats = google_.control("GET", "/bigquery/stats");
  ASSERT_TRUE(stats);
  int inserts = 0, waits = 0, next_pages = 0, table_gets = 0;
  for (const auto& q : (*stats)["query_log"]) inserts += q.value("method", "") == "jobs.insert";
  for (const auto& g : (*stats)["results_log"]) waits += g.value("maxResults", "") == "0";
  for (const auto& t : (*stats)["table_log"]) {
    EXPECT_EQ(t.value("status", 0), 200) << t;
    next_pages += t.value("method", "") == "tabledata.list" && t.contains("pageToken");
    table_gets += t.value("method", "") == "tables.get";
  }
  EXPECT_EQ(inserts, 4) << stats->dump();
  EXPECT_GE(waits, 4);
  EXPECT_EQ(next_pages, 3 + 2);  // all_types: 1003 rows by 300; samples.names: 4000 by 1500
  EXPECT_EQ(table_gets, 1);      // samples.names (a query's answer carries its schema)
}

// Go's tags compare like Node's classes; civil types' nanosecond spelling is the same value.
TEST(TypedCompare, GoTypesAreComparedByValue) {
  const json schema = json::parse(R"([{"name":"i","type":"INTEGER"},{"name":"n","type":"NUMERIC"},
    {"name":"t","type":"TIME"},{"name":"dt","type":"DATETIME"},{"name":"d","type":"DATE"},
    {"name":"ts","type":"TIMESTAMP"},{"name":"f","type":"FLOAT"},{"name":"b","type":"BYTES"}])");
  const json ours = json::parse(R"([{"i":"-5","n":"0.50","t":"23:59:59.999999",
    "dt":"2020-01-01T00:00:00","d":"2020-01-02","ts":"1969-12-31T23:59:59.999999Z",
    "f":"Infinity","b":"AP8="}])");
  const json go = json::parse(R"([{"i":{"int64":"-5"},"n":{"*big.Rat":"0.5"},
    "t":{"civil.Time":"23:59:59.999999000"},"dt":{"civil.DateTime":"2020-01-01T00:00:00"},
    "d":{"civil.Date":"2020-01-02"},"ts":{"time.Time":"1969-12-31T23:59:59.999999Z"},
    "f":{"float64":"Infinity"},"b":{"[]byte":"AP8="}}])");
  EXPECT_TRUE(compare_rows(schema, ours, go, kGoTypes).empty());
  json other = go;
  other[0]["t"] = {{"civil.Time", "23:59:59.99999"}};
  other[0]["i"] = {{"BigQueryInt", "-5"}};  // Node's class is not Go's type
  EXPECT_EQ(compare_rows(schema, ours, other, kGoTypes).size(), 2u);
  EXPECT_EQ(compare_rows(schema, ours, go).size(), 8u);  // read with Node's classes: none is
}

}  // namespace
}  // namespace bqb::e2e
