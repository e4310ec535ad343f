// Classifying metadata-server requests: the header checks (flavor, X-Forwarded-For, Host) and the
// paths client libraries call.

#include "daemon/metadata/metadata_request.h"

#include <gtest/gtest.h>

namespace bqb::metadata {
namespace {

MetadataHttpRequest get(std::string_view target) {
  MetadataHttpRequest r;
  r.method = "GET";
  r.target = target;
  r.metadata_flavor = "Google";
  r.host = "127.0.0.1:8123";
  return r;
}

MetadataCall call_of(const MetadataHttpRequest& r) {
  auto c = classify(r);
  EXPECT_TRUE(c) << r.target << ": " << (c ? "" : c.error().body);
  return c ? *c : MetadataCall{};
}

int refusal_of(const MetadataHttpRequest& r) {
  auto c = classify(r);
  EXPECT_FALSE(c) << r.target << " was accepted";
  return c ? 0 : c.error().status;
}

TEST(MetadataClassify, RequiresTheFlavorHeaderExactly) {
  auto r = get("/computeMetadata/v1/instance");
  r.metadata_flavor.reset();
  EXPECT_EQ(refusal_of(r), 403);
  EXPECT_NE(classify(r).error().body.find("Metadata-Flavor: Google"), std::string::npos);
  r.metadata_flavor = "google";
  EXPECT_EQ(refusal_of(r), 403);
  r.metadata_flavor = "Google";
  EXPECT_TRUE(classify(r));
}

TEST(MetadataClassify, RefusesForwardedRequests) {
  auto r = get("/");
  r.has_forwarded_for = true;
  EXPECT_EQ(refusal_of(r), 403);
}

TEST(MetadataClassify, RefusesRequestsFromWebPages) {
  auto r = get("/computeMetadata/v1/instance/service-accounts/default/token");
  r.has_origin = true;
  EXPECT_EQ(refusal_of(r), 403);
  EXPECT_NE(classify(r).error().body.find("Origin"), std::string::npos);
  r.has_origin = false;
  EXPECT_TRUE(classify(r));
}

TEST(MetadataClassify, RefusesHostsThatAreNotLoopback) {
  auto r = get("/");
  for (const char* h : {"evil.example.com", "evil.example.com:8123", "10.0.0.1:8123", "[::2]:80",
                        "localhost.evil.com", "127.0.0.1.nip.io:8123", "user@127.0.0.1:8123",
                        "metadata.google.internal.evil.com", "127.0.0.1:80x", ""}) {
    r.host = h;
    EXPECT_EQ(refusal_of(r), 403) << h;
  }
  r.host.reset();
  EXPECT_EQ(refusal_of(r), 400);
}

TEST(MetadataClassify, AcceptsLoopbackHosts) {
  for (const char* h :
       {"127.0.0.1", "127.0.0.1:8123", "127.1.2.3:1", "localhost", "LOCALHOST:9", "[::1]",
        "[::1]:8123", "metadata.google.internal", "Metadata.Google.Internal:80"}) {
    EXPECT_TRUE(is_allowed_host(h)) << h;
  }
}

TEST(MetadataClassify, OnlyGetAndHead) {
  auto r = get("/");
  r.method = "POST";
  EXPECT_EQ(refusal_of(r), 405);
  r.method = "HEAD";
  EXPECT_TRUE(classify(r));
}

TEST(MetadataClassify, DirectoriesWithOrWithoutTrailingSlash) {
  EXPECT_EQ(call_of(get("/")).listing, "computeMetadata/\n");
  EXPECT_EQ(call_of(get("/computeMetadata/v1/")).listing, "instance/\nproject/\n");
  EXPECT_EQ(call_of(get("/computeMetadata/v1/instance")).resource, Resource::listing);
  EXPECT_EQ(call_of(get("/computeMetadata/v1/instance/")).listing, "service-accounts/\n");
  EXPECT_EQ(call_of(get("/computeMetadata/v1/instance/service-accounts/")).resource,
            Resource::service_accounts);
  EXPECT_EQ(call_of(get("/computeMetadata/v1/instance/service-accounts/?recursive=true")).resource,
            Resource::service_accounts_info);
}

TEST(MetadataClassify, ServiceAccountPaths) {
  auto info = call_of(get("/computeMetadata/v1/instance/service-accounts/default/?recursive=true"));
  EXPECT_EQ(info.resource, Resource::account_info);
  EXPECT_EQ(info.service_account, "default");
  EXPECT_EQ(call_of(get("/computeMetadata/v1/instance/service-accounts/default/")).resource,
            Resource::account_listing);

  auto token =
      call_of(get("/computeMetadata/v1/instance/service-accounts/a%40example.com/token?scopes="
                  "https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fbigquery%2Cemail"));
  EXPECT_EQ(token.resource, Resource::token);
  EXPECT_EQ(token.service_account, "a@example.com");
  EXPECT_EQ(token.scopes_param, "https://www.googleapis.com/auth/bigquery,email");
  EXPECT_FALSE(call_of(get("/computeMetadata/v1/instance/service-accounts/default/token"))
                   .scopes_param.has_value());

  EXPECT_EQ(call_of(get("/computeMetadata/v1/instance/service-accounts/default/email")).resource,
            Resource::email);
  EXPECT_EQ(call_of(get("/computeMetadata/v1/instance/service-accounts/default/scopes")).resource,
            Resource::scopes);
  EXPECT_EQ(call_of(get("/computeMetadata/v1/project/project-id")).resource, Resource::project_id);
}

TEST(MetadataClassify, UnknownPathsAre404) {
  for (const char* t :
       {"/computeMetadata/v1/universe/universe-domain",
        "/computeMetadata/v1/instance/service-accounts/default/identity?audience=x",
        "/computeMetadata/v1/instance/zone", "/computeMetadata/v2/",
        "/computeMetadata/v1/instance/service-accounts/default/token/x", "/favicon.ico"}) {
    EXPECT_EQ(refusal_of(get(t)), 404) << t;
  }
}

TEST(MetadataClassify, ProjectPaths) {
  EXPECT_EQ(call_of(get("/computeMetadata/v1/project/")).resource, Resource::project_listing);
  EXPECT_EQ(call_of(get("/computeMetadata/v1/project")).resource, Resource::project_listing);
  EXPECT_EQ(call_of(get("/computeMetadata/v1/project/numeric-project-id")).resource,
            Resource::numeric_project_id);
}

TEST(MetadataClassify, AltChoosesTheFormAndAnythingElseIs400) {
  EXPECT_EQ(call_of(get("/computeMetadata/v1/project/project-id")).alt, Alt::default_form);
  EXPECT_EQ(call_of(get("/computeMetadata/v1/project/project-id?alt=json")).alt, Alt::json);
  EXPECT_EQ(call_of(get("/?alt=text")).alt, Alt::text);
  EXPECT_EQ(
      call_of(get("/computeMetadata/v1/instance/service-accounts/default/token?alt=text")).alt,
      Alt::text);
  for (const char* t : {"/computeMetadata/v1/project/project-id?alt=xml",
                        "/computeMetadata/v1/project/project-id?alt=JSON", "/?alt="}) {
    EXPECT_EQ(refusal_of(get(t)), 400) << t;
    EXPECT_NE(classify(get(t)).error().body.find("'alt'"), std::string::npos) << t;
  }
}

TEST(MetadataClassify, WaitForChangeReadsLastEtagAndTimeout) {
  EXPECT_FALSE(call_of(get("/computeMetadata/v1/project/project-id")).wait);
  EXPECT_FALSE(
      call_of(get("/computeMetadata/v1/project/project-id?wait_for_change=false&timeout_sec=5"))
          .wait);
  // timeout_sec is read only with wait_for_change, as GCE does: a bad one is ignored here.
  EXPECT_TRUE(classify(get("/computeMetadata/v1/project/project-id?timeout_sec=x")));

  auto w = call_of(get("/computeMetadata/v1/project/project-id?wait_for_change=true&last_etag="
                       "0a1b2c3d4e5f6789&timeout_sec=5"))
               .wait;
  ASSERT_TRUE(w);
  EXPECT_EQ(w->last_etag, "0a1b2c3d4e5f6789");
  EXPECT_EQ(w->timeout, std::chrono::seconds(5));

  auto bare = call_of(get("/computeMetadata/v1/?wait_for_change=true")).wait;
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->last_etag);
  EXPECT_EQ(bare->timeout, kMaxWaitForChange);
  EXPECT_EQ(call_of(get("/computeMetadata/v1/project/project-id?wait_for_change=true&timeout_sec="
                        "3600"))
                .wait->timeout,
            std::chrono::seconds(3600));
}

TEST(MetadataClassify, ATimeoutOutOfRangeIs400) {
  for (const char* t : {"0", "3601", "-1", "1.5", "x", "", "99999999999999999999"}) {
    const std::string target =
        std::string("/computeMetadata/v1/project/project-id?wait_for_change=true&timeout_sec=") + t;
    EXPECT_EQ(refusal_of(get(target)), 400) << t;
    EXPECT_NE(classify(get(target)).error().body.find("timeout_sec"), std::string::npos) << t;
  }
}

TEST(MetadataClassify, RefusalsAreTextWithAReason) {
  auto c = classify(get("/nope"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().content_type, "application/text");
  EXPECT_FALSE(c.error().body.empty());
}

}  // namespace
}  // namespace bqb::metadata
