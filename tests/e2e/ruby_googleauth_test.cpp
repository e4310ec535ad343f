// Debian's ruby-googleauth (0.13, /usr/bin/ruby) through `bqbroker exec`. This release reads no
// environment variable: its metadata URIs are constants fixed to http://169.254.169.254, so the
// program re-points those constants at exec's GCE_METADATA_HOST (ruby_googleauth_query.rb says
// how and why) and leaves the rest to the library: get_application_default's detection probe,
// GCECredentials' token fetch and parsing, Signet's Authorization header. The token must be one
// the Google server issued for the signed-in account and live there, and the query's rows, as
// Ruby values, must be `bqbroker query`'s.

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_env.h"
#include "tests/e2e/library_exec.h"

namespace bqb::e2e {
namespace {

using nlohmann::json;

constexpr std::string_view kRuby = "/usr/bin/ruby";

class RubyGoogleauthTest : public LibraryExecTest {
 protected:
  RubyGoogleauthTest() : LibraryExecTest("ruby@example.com") {}
};

TEST_F(RubyGoogleauthTest, GceCredentialsTokenAndQueryThroughExec) {
  ASSERT_TRUE(std::filesystem::exists(kRuby)) << "install ruby (Debian's)";
  ASSERT_TRUE(std::filesystem::exists("/usr/lib/ruby/vendor_ruby/googleauth/compute_engine.rb"))
      << "install ruby-googleauth (scripts/install-deps.sh does)";
  ASSERT_NO_FATAL_FAILURE(sign_in());

  const auto script = tests_source_dir() / "e2e/ruby_googleauth_query.rb";
  const json out = exec_json({std::string(kRuby), script.string(), google_.base_url(),
                              std::string(kSampleProject), std::string(kEventsSql)});
  ASSERT_TRUE(out.is_object());

  // Debian's library, choosing Compute Engine credentials by itself.
  EXPECT_EQ(out.value("library_file", ""),
            "/usr/lib/ruby/vendor_ruby/googleauth/compute_engine.rb");
  EXPECT_EQ(out.value("library_version", ""), "0.13.0");
  EXPECT_EQ(out.value("credentials", ""), "Google::Auth::GCECredentials");
  EXPECT_FALSE(out.value("expiry", "").empty()) << out.dump(2);
  expect_issued_and_live(out);
  // googleauth 0.13: the "on GCE?" probe of the root, then the token without scopes.
  EXPECT_EQ(
      metadata_requests(),
      (std::vector<std::string>{
          "GET / 200", "GET /computeMetadata/v1/instance/service-accounts/default/token 200"}));

  const json query = out.value("query", json());
  EXPECT_EQ(query.value("types", json()), json({{"id", "Integer"},
                                                {"user_email", "String"},
                                                {"kind", "String"},
                                                {"at", "Time"},
                                                {"amount", "BigDecimal"}}))
      << query.dump(2);
  expect_rows_of_bqbroker_query(query, std::string(kEventsSql));
}

}  // namespace
}  // namespace bqb::e2e
