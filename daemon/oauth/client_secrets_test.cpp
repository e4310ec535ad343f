#include "daemon/oauth/client_secrets.h"

#include <gtest/gtest.h>

#include <string>

namespace bqb::oauth {
namespace {

constexpr std::string_view kSecret = "GOCSPX-NeverInAnyMessage123";
constexpr std::string_view kWhere = "/home/u/client_secrets.json";

std::string installed(std::string_view fields) {
  return std::string(R"({"installed":{)") + std::string(fields) + "}}";
}

std::string full() {
  return installed(R"("client_id":"123-abc.apps.googleusercontent.com",)"
                   R"("project_id":"my-project",)"
                   R"("auth_uri":"https://accounts.google.com/o/oauth2/auth",)"
                   R"("token_uri":"https://oauth2.googleapis.com/token",)"
                   R"("auth_provider_x509_cert_url":"https://www.googleapis.com/oauth2/v1/certs",)"
                   R"("client_secret":"GOCSPX-NeverInAnyMessage123",)"
                   R"("redirect_uris":["http://localhost"])");
}

void expect_no_secret(const Error& e) {
  EXPECT_EQ(e.message.find(kSecret), std::string::npos) << e.message;
  EXPECT_EQ(e.hint.find(kSecret), std::string::npos) << e.hint;
}

TEST(ClientSecrets, ParsesADesktopClientAsTheConsoleDownloadsIt) {
  auto r = parse_client_secrets(full(), kWhere);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->client_id, "123-abc.apps.googleusercontent.com");
  EXPECT_EQ(r->client_secret.reveal(), kSecret);
  EXPECT_EQ(r->project_id, "my-project");
  EXPECT_EQ(r->auth_uri, "https://accounts.google.com/o/oauth2/auth");
  EXPECT_EQ(r->token_uri, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(r->redirect_uris, std::vector<std::string>{"http://localhost"});
  OAuthClient c = r->client();
  EXPECT_EQ(c.client_id, r->client_id);
  EXPECT_EQ(c.client_secret, r->client_secret);
  EXPECT_EQ(c.token_uri, r->token_uri);
}

TEST(ClientSecrets, ProjectAndRedirectUrisAreOptional) {
  auto r = parse_client_secrets(installed(R"("client_id":"id","client_secret":"s",)"
                                          R"("auth_uri":"http://127.0.0.1:9/auth",)"
                                          R"("token_uri":"http://127.0.0.1:9/token")"),
                                kWhere);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_FALSE(r->project_id.has_value());
  EXPECT_TRUE(r->redirect_uris.empty());
  EXPECT_EQ(r->token_uri, "http://127.0.0.1:9/token");  // a local fake is pointed at this way
}

TEST(ClientSecrets, WebClientIsAClearError) {
  auto r = parse_client_secrets(
      R"({"web":{"client_id":"id","client_secret":"GOCSPX-NeverInAnyMessage123",)"
      R"("auth_uri":"https://a","token_uri":"https://t"}})",
      kWhere);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::bad_request);
  EXPECT_NE(r.error().message.find("Web application"), std::string::npos);
  EXPECT_NE(r.error().message.find(kWhere), std::string::npos);
  EXPECT_NE(r.error().hint.find("Desktop app"), std::string::npos);
  expect_no_secret(r.error());
}

TEST(ClientSecrets, MissingFieldIsNamedWithTheFile) {
  for (std::string_view field : {"client_id", "client_secret", "auth_uri", "token_uri"}) {
    std::string text = full();
    // Rename the key so the field is missing but the JSON stays valid.
    text.replace(text.find(std::string("\"") + std::string(field) + "\""), field.size() + 2,
                 "\"x_" + std::string(field) + "\"");
    auto r = parse_client_secrets(text, kWhere);
    ASSERT_FALSE(r.has_value()) << field;
    EXPECT_EQ(r.error().code, Errc::invalid_json);
    EXPECT_NE(r.error().message.find("'" + std::string(field) + "'"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find(kWhere), std::string::npos);
    expect_no_secret(r.error());
  }
}

TEST(ClientSecrets, WrongTypesAndEmptyValuesAreErrors) {
  for (
      std::string_view fields :
      {R"("client_id":42,"client_secret":"GOCSPX-NeverInAnyMessage123","auth_uri":"https://a","token_uri":"https://t")",
       R"("client_id":"","client_secret":"GOCSPX-NeverInAnyMessage123","auth_uri":"https://a","token_uri":"https://t")",
       R"("client_id":"id","client_secret":["GOCSPX-NeverInAnyMessage123"],"auth_uri":"https://a","token_uri":"https://t")",
       R"("client_id":"id","client_secret":"GOCSPX-NeverInAnyMessage123","auth_uri":"https://a","token_uri":"https://t","redirect_uris":"http://localhost")",
       R"("client_id":"id","client_secret":"GOCSPX-NeverInAnyMessage123","auth_uri":"https://a","token_uri":"https://t","project_id":7)"}) {
    auto r = parse_client_secrets(installed(fields), kWhere);
    ASSERT_FALSE(r.has_value()) << fields;
    EXPECT_EQ(r.error().code, Errc::invalid_json);
    expect_no_secret(r.error());
  }
}

TEST(ClientSecrets, EndpointsMustBeAbsoluteHttpUrls) {
  for (std::string_view uri : {"accounts.google.com/auth", "ftp://x/token", "/token", "https://",
                               "GOCSPX-NeverInAnyMessage123", "file:///etc/passwd"}) {
    std::string text =
        installed(std::string(R"("client_id":"id","client_secret":"s",)") +
                  R"("auth_uri":"https://a.test/auth","token_uri":")" + std::string(uri) + "\"");
    auto r = parse_client_secrets(text, kWhere);
    ASSERT_FALSE(r.has_value()) << uri;
    EXPECT_NE(r.error().message.find("token_uri"), std::string::npos);
    expect_no_secret(r.error());
  }
}

TEST(ClientSecrets, BadJsonAndWrongShapes) {
  for (std::string_view text :
       {"", "{", "not json", "[]", "\"installed\"", R"({"installed":"x"})", R"({"installed":[]})",
        R"({"other":{}})", R"({"installed":{"client_secret":"GOCSPX-NeverInAnyMessage123",)"}) {
    auto r = parse_client_secrets(text, kWhere);
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_NE(r.error().message.find(kWhere), std::string::npos) << r.error().message;
    expect_no_secret(r.error());
  }
}

TEST(ClientSecrets, HugeValuesDoNotBreakIt) {
  std::string big(1 << 20, 'x');
  auto r = parse_client_secrets(installed(R"("client_id":")" + big +
                                          R"(","client_secret":"s","auth_uri":"https://a",)"
                                          R"("token_uri":"https://t")"),
                                kWhere);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->client_id.size(), big.size());
}

}  // namespace
}  // namespace bqb::oauth
