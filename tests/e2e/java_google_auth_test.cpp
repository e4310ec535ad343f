// Debian's libgoogle-auth-java (0.18) on openjdk-17 through `bqbroker exec`, unchanged and with the
// JVM's default networking (IPv6 sockets): GoogleCredentials.getApplicationDefault() finds no file,
// pings the metadata server named by GCE_METADATA_HOST and falls back to ComputeEngineCredentials,
// whose token must be one the Google server issued for the signed-in account and live there; the
// library's HttpCredentialsAdapter then runs jobs.query on the server's BigQuery, and the rows,
// as Java values, must be `bqbroker query`'s. JavaAdcQuery.java is compiled by the build.

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/library_exec.h"

#ifndef BQB_E2E_JAVA
#error "BQB_E2E_JAVA and BQB_E2E_JAVA_CLASSPATH must be defined by the build"
#endif

namespace bqb::e2e {
namespace {

using nlohmann::json;

class JavaGoogleAuthTest : public LibraryExecTest {
 protected:
  JavaGoogleAuthTest() : LibraryExecTest("java@example.com") {}
};

TEST_F(JavaGoogleAuthTest, ComputeEngineCredentialsTokenAndQueryThroughExec) {
  ASSERT_TRUE(std::filesystem::exists(BQB_E2E_JAVA)) << "install openjdk-17-jdk-headless";
  ASSERT_NO_FATAL_FAILURE(sign_in());

  const json out =
      exec_json({BQB_E2E_JAVA, "-cp", BQB_E2E_JAVA_CLASSPATH, "JavaAdcQuery", google_.base_url(),
                 std::string(kSampleProject), std::string(kEventsSql)});
  ASSERT_TRUE(out.is_object());

  // Debian's jar, choosing Compute Engine credentials by itself and naming the account.
  EXPECT_TRUE(
      out.value("library_jar", "").starts_with("/usr/share/java/google-auth-library-oauth2-http"))
      << out.dump(2);
  EXPECT_EQ(out.value("library_version", ""), "0.18.0");
  EXPECT_EQ(out.value("credentials", ""), "com.google.auth.oauth2.ComputeEngineCredentials");
  // getAccount() reads GET /computeMetadata/v1/instance/service-accounts/?recursive=true as JSON
  // ({"default": {"email": …}, …}, as GCE answers it).
  EXPECT_EQ(out.value("account", ""), google_.accounts().front())
      << "ComputeEngineCredentials.getAccount(): " << out.value("account_error", "");
  EXPECT_FALSE(out.value("expiry", "").empty()) << out.dump(2);
  expect_issued_and_live(out);
  // google-auth-library-java 0.18: the probe of the root, the token without scopes, and
  // getAccount()'s service-accounts/?recursive=true.
  EXPECT_EQ(metadata_requests(),
            (std::vector<std::string>{
                "GET / 200", "GET /computeMetadata/v1/instance/service-accounts/default/token 200",
                "GET /computeMetadata/v1/instance/service-accounts/ 200"}));

  // The query through the library's own transport, its rows as Java's types.
  const json query = out.value("query", json());
  EXPECT_EQ(query.value("types", json()), json({{"id", "java.lang.Long"},
                                                {"user_email", "java.lang.String"},
                                                {"kind", "java.lang.String"},
                                                {"at", "java.time.Instant"},
                                                {"amount", "java.math.BigDecimal"}}))
      << query.dump(2);
  expect_rows_of_bqbroker_query(query, std::string(kEventsSql));
}

}  // namespace
}  // namespace bqb::e2e
