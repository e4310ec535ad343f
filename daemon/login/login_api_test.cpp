// The login API's JSON, as the daemon writes it and the CLI reads it (proto/login_api.h).

#include "proto/login_api.h"

#include <gtest/gtest.h>

namespace bqb::api {
namespace {

using nlohmann::json;

TEST(LoginApi, StartRequestRoundTrips) {
  LoginStartRequest r;
  r.client_secrets = json{{"installed", {{"client_id", "x"}}}};
  r.scopes = {"cloud-platform"};
  r.no_default_scopes = true;
  r.login_hint = "a@example.com";
  auto back = parse_login_start_request(to_json(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->client_secrets, r.client_secrets);
  EXPECT_EQ(back->scopes, r.scopes);
  EXPECT_TRUE(back->no_default_scopes);
  EXPECT_EQ(back->login_hint, r.login_hint);

  auto empty = parse_login_start_request(json::object());
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->client_secrets);
  EXPECT_FALSE(empty->no_default_scopes);
}

TEST(LoginApi, StartRequestRejectsWrongTypesNamingTheField) {
  auto a = parse_login_start_request(json{{"client_secrets", "/tmp/file.json"}});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::invalid_json);
  EXPECT_NE(a.error().message.find("client_secrets"), std::string::npos);
  auto b = parse_login_start_request(json{{"scopes", "bigquery"}});
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("scopes"), std::string::npos);
}

TEST(LoginApi, StatusRoundTripsEachState) {
  LoginStatus pending{"id1", LoginState::pending, std::nullopt, std::nullopt};
  LoginStatus done{"id2", LoginState::done, "a@example.com", std::nullopt};
  LoginStatus failed{"id3", LoginState::failed, std::nullopt,
                     Error{Errc::login_denied, "consent refused", "try again"}};
  for (const auto& s : {pending, done, failed}) {
    auto j = to_json(s);
    auto back = parse_login_status(j);
    ASSERT_TRUE(back) << back.error().message << " in " << j.dump();
    EXPECT_EQ(*back, s) << j.dump();
  }
  EXPECT_EQ(to_json(failed)["error"]["code"], "login_denied");
  EXPECT_EQ(to_json(done)["state"], "done");
}

TEST(LoginApi, StatusMustBeConsistent) {
  EXPECT_FALSE(parse_login_status(json{{"login_id", "x"}, {"state", "done"}}));
  EXPECT_FALSE(parse_login_status(json{{"login_id", "x"}, {"state", "failed"}}));
  EXPECT_FALSE(parse_login_status(json{{"login_id", "x"}, {"state", "weird"}}));
}

TEST(LoginApi, StartedAndRedirectRoundTrip) {
  LoginStarted s{"id", "https://accounts.example/auth?x=1", "http://127.0.0.1:5/", 300};
  auto back = parse_login_started(to_json(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->auth_url, s.auth_url);
  EXPECT_EQ(back->expires_in, 300);
  auto r = parse_login_redirect_request(to_json(LoginRedirectRequest{"http://127.0.0.1:5/?a"}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->url, "http://127.0.0.1:5/?a");
  EXPECT_FALSE(parse_login_redirect_request(json::object()));
}

}  // namespace
}  // namespace bqb::api
