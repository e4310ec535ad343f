#include "daemon/query/bq_endpoint.h"

#include <gtest/gtest.h>

#include "daemon/base/config.h"

namespace bqb::bq {
namespace {

const std::string kDefault(kDefaultBigQueryEndpoint);

TEST(ApiRoot, DefaultIsGoogle) {
  EXPECT_EQ(api_root(kDefault, std::nullopt), "https://bigquery.googleapis.com/bigquery/v2");
  EXPECT_EQ(api_root(kDefault, ""), "https://bigquery.googleapis.com/bigquery/v2");
}

TEST(ApiRoot, ConfiguredEndpointWinsOverTheEnvironment) {
  EXPECT_EQ(api_root("http://127.0.0.1:8080", "localhost:9050"),
            "http://127.0.0.1:8080/bigquery/v2");
  EXPECT_EQ(api_root("https://bq.example.com", std::nullopt), "https://bq.example.com/bigquery/v2");
}

TEST(ApiRoot, EmulatorHostInEveryClientLibraryForm) {
  EXPECT_EQ(api_root(kDefault, "localhost:9050"), "http://localhost:9050/bigquery/v2");
  EXPECT_EQ(api_root(kDefault, "127.0.0.1:9050"), "http://127.0.0.1:9050/bigquery/v2");
  EXPECT_EQ(api_root(kDefault, "[::1]:9050"), "http://[::1]:9050/bigquery/v2");
  EXPECT_EQ(api_root(kDefault, "http://127.0.0.1:9050"), "http://127.0.0.1:9050/bigquery/v2");
  EXPECT_EQ(api_root(kDefault, "http://127.0.0.1:9050/"), "http://127.0.0.1:9050/bigquery/v2");
  EXPECT_EQ(api_root(kDefault, "http://127.0.0.1:9050/bigquery/v2"),
            "http://127.0.0.1:9050/bigquery/v2");
  EXPECT_EQ(api_root(kDefault, "https://bq.example.com/bigquery/v2/"),
            "https://bq.example.com/bigquery/v2");
}

TEST(ApiRoot, PlainHttpOnlyToLoopback) {
  auto r = api_root(kDefault, "bq.example.com:9050");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::tls_error);
  EXPECT_NE(r.error().message.find("BIGQUERY_EMULATOR_HOST"), std::string::npos)
      << r.error().message;
  auto c = api_root("http://10.0.0.1:80", std::nullopt);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::tls_error);
  EXPECT_NE(c.error().message.find("[bigquery] endpoint"), std::string::npos);
}

TEST(ApiRoot, MalformedValuesNameTheSource) {
  for (const char* bad : {"http://127.0.0.1:9050/other", "http://u:p@127.0.0.1:9050",
                          "http://127.0.0.1:9050?x=1", "ftp://127.0.0.1", "http://"}) {
    auto r = api_root(kDefault, bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("BIGQUERY_EMULATOR_HOST"), std::string::npos)
        << bad << ": " << r.error().message;
  }
}

TEST(ResolveProject, RequestThenConfigThenAccount) {
  EXPECT_EQ(resolve_project("r", "c", "a"), "r");
  EXPECT_EQ(resolve_project(std::nullopt, "c", "a"), "c");
  EXPECT_EQ(resolve_project(std::nullopt, std::nullopt, "a"), "a");
  EXPECT_EQ(resolve_project("", "", "a"), "a");
  auto none = resolve_project(std::nullopt, std::nullopt, std::nullopt);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::bad_request);
  EXPECT_NE(none.error().hint.find("--project"), std::string::npos);
}

}  // namespace
}  // namespace bqb::bq
