#include "daemon/accounts/adc_file.h"

#include <gtest/gtest.h>

#include <string>

namespace bqb::oauth {
namespace {

constexpr std::string_view kWhere = "/home/u/.config/gcloud/application_default_credentials.json";
constexpr std::string_view kRefresh = "1//0gRefreshTokenNeverShown";
constexpr std::string_view kClientSecret = "d-FL95Q19q7MQmFpd7hHD0Ty";

void expect_no_secret(const Error& e) {
  for (std::string_view s : {kRefresh, kClientSecret}) {
    EXPECT_EQ(e.message.find(s), std::string::npos) << e.message;
    EXPECT_EQ(e.hint.find(s), std::string::npos) << e.hint;
  }
}

TEST(AdcFile, ParsesWhatGcloudWrites) {
  auto r = parse_adc_file(
      R"({"account":"","client_id":"764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",)"
      R"("client_secret":"d-FL95Q19q7MQmFpd7hHD0Ty","quota_project_id":"my-proj",)"
      R"("refresh_token":"1//0gRefreshTokenNeverShown","type":"authorized_user","universe_domain":"googleapis.com"})",
      kWhere);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->client.client_id,
            "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com");
  EXPECT_EQ(r->client.client_secret.reveal(), kClientSecret);
  EXPECT_EQ(r->client.token_uri, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(r->refresh_token.reveal(), kRefresh);
  EXPECT_EQ(r->quota_project_id, "my-proj");
}

TEST(AdcFile, QuotaProjectIsOptional) {
  auto r = parse_adc_file(
      R"({"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"})",
      kWhere);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->quota_project_id.has_value());
}

TEST(AdcFile, OtherCredentialTypesAreRefusedByName) {
  auto r = parse_adc_file(
      R"({"type":"service_account","private_key":"-----BEGIN","client_email":"x"})", kWhere);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::bad_request);
  EXPECT_NE(r.error().message.find("'service_account'"), std::string::npos);
  EXPECT_NE(r.error().message.find("authorized_user"), std::string::npos);
  EXPECT_NE(r.error().message.find(kWhere), std::string::npos);
  EXPECT_NE(r.error().hint.find("gcloud auth application-default login"), std::string::npos);
}

TEST(AdcFile, AnOddTypeValueIsNotEchoed) {
  auto r = parse_adc_file(R"({"type":"1//0gRefreshTokenNeverShown"})", kWhere);
  ASSERT_FALSE(r.has_value());
  expect_no_secret(r.error());
}

TEST(AdcFile, MissingOrWrongFieldsAreNamed) {
  struct Case {
    std::string_view text;
    std::string_view field;
  };
  for (
      auto c : {
          Case{
              R"({"client_id":"c","client_secret":"d-FL95Q19q7MQmFpd7hHD0Ty","refresh_token":"1//0gRefreshTokenNeverShown"})",
              "type"},
          Case{
              R"({"type":"authorized_user","client_secret":"d-FL95Q19q7MQmFpd7hHD0Ty","refresh_token":"1//0gRefreshTokenNeverShown"})",
              "client_id"},
          Case{
              R"({"type":"authorized_user","client_id":"c","refresh_token":"1//0gRefreshTokenNeverShown"})",
              "client_secret"},
          Case{
              R"({"type":"authorized_user","client_id":"c","client_secret":"d-FL95Q19q7MQmFpd7hHD0Ty"})",
              "refresh_token"},
          Case{
              R"({"type":"authorized_user","client_id":"c","client_secret":"d-FL95Q19q7MQmFpd7hHD0Ty","refresh_token":""})",
              "refresh_token"},
          Case{
              R"({"type":"authorized_user","client_id":"c","client_secret":"d-FL95Q19q7MQmFpd7hHD0Ty","refresh_token":1})",
              "refresh_token"},
          Case{
              R"({"type":"authorized_user","client_id":"c","client_secret":"d-FL95Q19q7MQmFpd7hHD0Ty","refresh_token":"1//0gRefreshTokenNeverShown","quota_project_id":[]})",
              "quota_project_id"},
      }) {
    auto r = parse_adc_file(c.text, kWhere);
    ASSERT_FALSE(r.has_value()) << c.text;
    EXPECT_EQ(r.error().code, Errc::invalid_json);
    EXPECT_NE(r.error().message.find("'" + std::string(c.field) + "'"), std::string::npos)
        << r.error().message;
    expect_no_secret(r.error());
  }
}

TEST(AdcFile, BadJsonNamesTheFile) {
  for (std::string_view text : {"", "{\"type\":", "[1]", "null"}) {
    auto r = parse_adc_file(text, kWhere);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find(kWhere), std::string::npos);
  }
}

}  // namespace
}  // namespace bqb::oauth
