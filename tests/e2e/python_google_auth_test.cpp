// Debian's python3-google-auth (1.5.1, /usr/bin/python3) through `bqbroker exec`: the library
// reads only GCE_METADATA_ROOT and GCE_METADATA_IP, detects "GCE" by pinging the metadata
// endpoint, and refreshes Compute Engine credentials there. The token it gets must be one the
// Google server issued for the signed-in account, and live there.
//
// The account is signed in by `bqbroker login` with curl as $BROWSER (the server consents by
// itself here): the real CLI path, without a second browser launch.

#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/client_fixture.h"
#include "tests/e2e/e2e_env.h"
#include "tests/e2e/google_server.h"
#include "tests/support/harness.h"

namespace bqb::e2e {
namespace {

using itest::ExitStatus;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kAccount = "py@example.com";
constexpr std::string_view kPython = "/usr/bin/python3";

class PythonGoogleAuthTest : public ClientLibraryTest {
 protected:
  PythonGoogleAuthTest() : ClientLibraryTest(kAccount) {}
};

TEST_F(PythonGoogleAuthTest, ComputeEngineCredentialsGetATokenThroughExec) {
  ASSERT_TRUE(std::filesystem::exists(kPython)) << "install python3 (Debian's)";
  ASSERT_TRUE(std::filesystem::exists("/usr/lib/python3/dist-packages/google/auth"))
      << "install python3-google-auth (scripts/install-deps.sh does)";

  // Sign in: the "browser" follows the server's redirect to the daemon's loopback listener.
  ASSERT_NO_FATAL_FAILURE(login());

  // GOOGLE_APPLICATION_CREDENTIALS would win over the metadata server; exec must drop it.
  auto exec_env = env_;
  exec_env.set("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/adc.json");
  const auto script = tests_source_dir() / "e2e/python_metadata_token.py";
  auto r = itest::run_cli(
      {"exec", "--project", "py-project", "--", std::string(kPython), script.string()}, exec_env,
      60s);
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  const json out = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r;

  // Debian's library, finding Compute Engine credentials by itself.
  EXPECT_TRUE(out.value("library_file", "").starts_with("/usr/lib/python3/dist-packages/google/"))
      << out.dump(2);
  EXPECT_EQ(out.value("credentials", ""), "google.auth.compute_engine.credentials.Credentials");
  EXPECT_EQ(out.value("email", ""), kAccount);
  EXPECT_EQ(out.value("project", ""), "py-project");
  EXPECT_TRUE(out.value("valid", false)) << out.dump(2);
  EXPECT_FALSE(out.value("expiry", "").empty()) << out.dump(2);

  // The token is one the server issued for this account, and still live there.
  const std::string digest = out.value("token_sha256", "");
  std::optional<std::string> token;
  if (auto tokens = google_.control("GET", "/tokens")) {
    for (const auto& t : tokens->value("access_tokens", json::array())) {
      const std::string value = t.value("access_token", "");
      if (sha256_hex(value) == digest) token = value;
    }
    ASSERT_TRUE(token) << "the token Python got is none of the server's: " << out.dump(2);
  } else {
    // A server without the control API: ask the daemon for the same cached token instead.
    auto same = itest::run_cli({"token"}, env_);
    ASSERT_EQ(same.status, ExitStatus::exited_with(0)) << same;
    token = same.out.substr(0, same.out.find('\n'));
    ASSERT_EQ(sha256_hex(*token), digest) << "Python got another token than the account's";
  }
  EXPECT_TRUE(token->starts_with(out.value("token_prefix", "-")));
  const auto info = google_.tokeninfo(*token);
  ASSERT_TRUE(info) << "the token is not live at " << google_.base_url();
  EXPECT_EQ(info->value("email", ""), kAccount);

  // Nothing of the token in what the script printed (beyond the type prefix) or the daemon's log.
  EXPECT_EQ(r.out.find(*token), std::string::npos);
  EXPECT_TRUE(itest::log_free_of(daemon_->log(), {*token}));
}

}  // namespace
}  // namespace bqb::e2e
