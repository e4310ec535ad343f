// Debian's python3-google-auth (1.5.1, /usr/bin/python3) through `bqbroker exec`: the library
// reads only GCE_METADATA_ROOT and GCE_METADATA_IP, detects "GCE" by pinging the metadata
// endpoint, and refreshes Compute Engine credentials there. The token it gets must be one the
// Google server issued for the signed-in account, and live there.
//
// The account is signed in by `bqbroker login` with curl as $BROWSER (the server consents by
// itself here): the real CLI path, without a second browser launch (library_exec.h).

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_env.h"
#include "tests/e2e/library_exec.h"

namespace bqb::e2e {
namespace {

using nlohmann::json;

constexpr std::string_view kPython = "/usr/bin/python3";

class PythonGoogleAuthTest : public LibraryExecTest {
 protected:
  PythonGoogleAuthTest() : LibraryExecTest("py@example.com") {}
};

TEST_F(PythonGoogleAuthTest, ComputeEngineCredentialsGetATokenThroughExec) {
  ASSERT_TRUE(std::filesystem::exists(kPython)) << "install python3 (Debian's)";
  ASSERT_TRUE(std::filesystem::exists("/usr/lib/python3/dist-packages/google/auth"))
      << "install python3-google-auth (scripts/install-deps.sh does)";
  ASSERT_NO_FATAL_FAILURE(sign_in());

  const auto script = tests_source_dir() / "e2e/python_metadata_token.py";
  const json out = exec_json({std::string(kPython), script.string()});
  ASSERT_TRUE(out.is_object());

  // Debian's library, finding Compute Engine credentials by itself.
  EXPECT_TRUE(out.value("library_file", "").starts_with("/usr/lib/python3/dist-packages/google/"))
      << out.dump(2);
  EXPECT_EQ(out.value("credentials", ""), "google.auth.compute_engine.credentials.Credentials");
  EXPECT_EQ(out.value("email", ""), google_.accounts().front());
  EXPECT_EQ(out.value("project", ""), kSampleProject);
  EXPECT_TRUE(out.value("valid", false)) << out.dump(2);
  EXPECT_FALSE(out.value("expiry", "").empty()) << out.dump(2);

  // The token is one the server issued for this account, still live there, and nowhere in what
  // the script printed (beyond the type prefix) or the daemon's log.
  expect_issued_and_live(out);
  // google-auth 1.5.1: the ping, the project, the account info (recursive), then the token by
  // the email it read there.
  EXPECT_EQ(metadata_requests(),
            (std::vector<std::string>{
                "GET / 200", "GET /computeMetadata/v1/project/project-id 200",
                "GET /computeMetadata/v1/instance/service-accounts/default/ 200",
                "GET /computeMetadata/v1/instance/service-accounts/py@example.com/token 200"}));
}

}  // namespace
}  // namespace bqb::e2e
