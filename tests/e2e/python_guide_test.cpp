// The BigQuery guide "Authenticating with a user account for installed applications" made
// credential-free (python_guide_credential_free.py): Debian's python3-google-auth-oauthlib, the
// guide's library, is installed and importable, but instead of its InstalledAppFlow (client
// secret, consent, a refresh token in the program) google.auth.default() finds Compute Engine
// credentials at `bqbroker exec`'s metadata endpoint, and the guide's query runs through
// google-auth's AuthorizedSession on the Google server's BigQuery REST API. Its token must be
// one the server issued for the signed-in account and live there; its rows, as Python values,
// `bqbroker query`'s.

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_env.h"
#include "tests/e2e/library_exec.h"

namespace bqb::e2e {
namespace {

using nlohmann::json;

constexpr std::string_view kPython = "/usr/bin/python3";

// The guide's query (bigquery-public-data.usa_names has `number`; the sample's `names`, `n`).
constexpr std::string_view kGuideSql =
    "SELECT name, SUM(n) AS total FROM samples.names WHERE name = 'William' GROUP BY name";

class PythonGuideTest : public LibraryExecTest {
 protected:
  PythonGuideTest() : LibraryExecTest("guide@example.com") {}
};

TEST_F(PythonGuideTest, InstalledAppGuideScriptRunsCredentialFreeThroughExec) {
  ASSERT_TRUE(std::filesystem::exists(kPython)) << "install python3 (Debian's)";
  ASSERT_TRUE(std::filesystem::exists("/usr/lib/python3/dist-packages/google_auth_oauthlib"))
      << "install python3-google-auth-oauthlib (scripts/install-deps.sh does)";
  ASSERT_NO_FATAL_FAILURE(sign_in());

  const auto script = tests_source_dir() / "e2e/python_guide_credential_free.py";
  const json out = exec_json(
      {std::string(kPython), script.string(), google_.base_url(), std::string(kGuideSql)});
  ASSERT_TRUE(out.is_object());

  // The guide's library is Debian's and there; the credentials are google-auth's own choice.
  EXPECT_EQ(out.value("guide_library_file", ""),
            "/usr/lib/python3/dist-packages/google_auth_oauthlib/flow.py");
  EXPECT_EQ(out.value("guide_library_version", ""), "0.4.2");
  EXPECT_EQ(out.value("guide_flow", ""), "google_auth_oauthlib.flow.InstalledAppFlow");
  EXPECT_TRUE(out.value("library_file", "").starts_with("/usr/lib/python3/dist-packages/google/"))
      << out.dump(2);
  EXPECT_EQ(out.value("credentials", ""), "google.auth.compute_engine.credentials.Credentials");
  EXPECT_EQ(out.value("project", ""), kSampleProject);
  expect_issued_and_live(out);
  // The same google-auth 1.5.1 sequence as PythonGoogleAuthTest.
  EXPECT_EQ(metadata_requests(),
            (std::vector<std::string>{
                "GET / 200", "GET /computeMetadata/v1/project/project-id 200",
                "GET /computeMetadata/v1/instance/service-accounts/default/ 200",
                "GET /computeMetadata/v1/instance/service-accounts/guide@example.com/token 200"}));

  const json query = out.value("query", json());
  EXPECT_EQ(query.value("types", json()), json({{"name", "str"}, {"total", "int"}}))
      << query.dump(2);
  EXPECT_EQ(query.value("rows", json()).size(), 1u) << query.dump(2);
  expect_rows_of_bqbroker_query(query, std::string(kGuideSql));
}

}  // namespace
}  // namespace bqb::e2e
