#pragma once
// What the tests of Google's own auth libraries under `bqbroker exec` share: a daemon whose
// BigQuery is the Google server's, an account signed in through the real CLI, the library's
// program run by exec with no credential file anywhere, and the checks on what it printed — the
// token is one the server issued for the account and is live there, and its query rows are, by
// BigQuery type, the rows `bqbroker query --format json` prints for the same SQL.
//
// Each program prints one JSON object with at least "token_prefix" (10 characters) and
// "token_sha256" (hex) — never the token — and, when it queries, "query": {"schema": [fields],
// "rows": [objects], "types": {column: the language's class of its values}}, rows holding the
// language's values as JSON: INTEGER a JSON integer, NUMERIC exact decimal text, TIMESTAMP
// RFC 3339 text, STRING, BOOLEAN, FLOAT as themselves.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_env.h"  // sha256_hex, sign_in_with_curl
#include "tests/e2e/google_server.h"
#include "tests/support/harness.h"

namespace bqb::e2e {

/// The emulator's sample project (its `samples` dataset), which every exec'd program gets.
inline constexpr std::string_view kSampleProject = "bqbroker-demo";

/// Typed columns of the kinds the libraries convert (INT64, STRING, TIMESTAMP with µs, NUMERIC;
/// id 17 is a refund, a negative amount), in a fixed order.
inline constexpr std::string_view kEventsSql =
    "SELECT id, user_email, kind, at, amount FROM samples.events WHERE id <= 18 ORDER BY id";

/// A query as `bqbroker query` and each client program take it.
struct QueryParam {
  std::string name, type, value;  // value as `bqbroker query --param name:type:value` takes it
};
struct SampleQuery {
  std::string what;  // names the query in failures
  std::string sql;
  std::vector<QueryParam> params;
};
/// The emulator README's aggregate: computed columns, no declared type.
extern const SampleQuery kAggregateQuery;
/// samples.events with named STRING, TIMESTAMP and INT64 parameters, each encoded by its client.
extern const SampleQuery kNamedParamsQuery;

class LibraryExecTest : public ::testing::Test {
 protected:
  /// `account` is the Google server's only account (the one signed in).
  explicit LibraryExecTest(std::string account);
  void SetUp() override;

  /// Signs the account in (e2e_env's sign_in_with_curl). Use in ASSERT_NO_FATAL_FAILURE.
  void sign_in();

  /// Runs `bqbroker exec --project kSampleProject -- program…` with GOOGLE_APPLICATION_CREDENTIALS
  /// pointing at a file that does not exist (it would win over the metadata server in every
  /// library: exec must drop it) and no credential file in the sandbox's HOME. @returns the JSON
  /// object it printed on a zero exit, else null after failing the test with its output.
  nlohmann::json exec_json(const std::vector<std::string>& program);

  /// Expects `out`'s token (token_sha256, token_prefix) to be an access token the Google server
  /// issued, live at its /tokeninfo for the account, and absent from `out` (what the program
  /// printed) and the daemon's log. @returns the token, nullopt after failing the test.
  std::optional<std::string> expect_issued_and_live(const nlohmann::json& out);

  /// @returns the requests exec's metadata endpoints answered so far, in order, as the daemon's
  /// debug log has them: "GET /computeMetadata/v1/… 200" (the path without its query).
  std::vector<std::string> metadata_requests() const;

  /// @returns the rows `bqbroker query --format json --project kSampleProject` prints for
  /// `query` (failures are test failures naming query.what).
  nlohmann::json bqbroker_rows(const SampleQuery& query);

  /// Expects `query` ({"schema","rows"} as above) to hold, value by value by the schema's type
  /// (typed_compare.h), the rows of `bqbroker query --format json` for `sql` in kSampleProject.
  void expect_rows_of_bqbroker_query(const nlohmann::json& query, const std::string& sql);

  itest::Sandbox sandbox_;
  GoogleServer google_;
  std::optional<itest::DaemonProcess> daemon_;
  itest::Environment env_;
};

}  // namespace bqb::e2e
