#pragma once
// What the client-library tests share (Python's google-auth, Node's and Go's BigQuery clients
// under `bqbroker exec`): a
// daemon whose BigQuery is the Google server's, an account signed in by `bqbroker login` with curl
// as $BROWSER (the server consents by itself: the real CLI path without a browser), the sample
// queries both run, and `bqbroker query --format json`'s rows to compare the clients' with.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/google_server.h"
#include "tests/support/harness.h"

namespace bqb::e2e {

inline constexpr std::string_view kSampleProject = "bqbroker-demo";  // the emulator's

struct QueryParam {
  std::string name, type, value;  // value as `bqbroker query --param name:type:value` takes it
};
struct SampleQuery {
  std::string what;
  std::string sql;
  std::vector<QueryParam> params;
};
/// The emulator README's aggregate: computed columns, no declared type.
extern const SampleQuery kAggregateQuery;
/// samples.events with named STRING, TIMESTAMP and INT64 parameters, each encoded by its client.
extern const SampleQuery kNamedParamsQuery;

class ClientLibraryTest : public ::testing::Test {
 protected:
  /// The server's one account is `account`.
  explicit ClientLibraryTest(std::string_view account);
  void SetUp() override;

  /// Signs the account in: exit 0 and "Signed in as ACCOUNT" (a fatal failure otherwise).
  void login();
  /// @returns the rows `bqbroker query --format json --project kSampleProject` prints for
  /// `query` (failures are test failures naming query.what).
  nlohmann::json bqbroker_rows(const SampleQuery& query);

  itest::Sandbox sandbox_;
  GoogleServer google_;
  std::optional<itest::DaemonProcess> daemon_;
  itest::Environment env_;
};

}  // namespace bqb::e2e
