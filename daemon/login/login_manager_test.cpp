// LoginManager: where client credentials come from, the scopes a login asks for, the authorization
// URL and redirect_uri it hands out, the cap on waiting logins, and the ids it knows.

#include "daemon/login/login_manager.h"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>
#include <boost/url/parse.hpp>

#include "daemon/base/blocking.h"
#include "tests/support/login_test_support.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::vector<std::string> items(const Result<oauth::ScopeSet>& s) {
  EXPECT_TRUE(s) << s.error().message;
  return s ? s->items() : std::vector<std::string>{};
}

TEST(ResolveLoginScopes, DefaultsPlusExtras) {
  auto s = items(resolve_login_scopes(std::nullopt, {"cloud-platform"}, false));
  EXPECT_EQ(s,
            (std::vector<std::string>{"https://www.googleapis.com/auth/bigquery",
                                      "https://www.googleapis.com/auth/bigquery.readonly",
                                      "https://www.googleapis.com/auth/cloud-platform",
                                      "https://www.googleapis.com/auth/userinfo.email", "openid"}));
}

TEST(ResolveLoginScopes, ConfiguredScopesReplaceTheDefaults) {
  auto s = items(resolve_login_scopes(std::vector<std::string>{"bigquery.readonly"}, {}, false));
  EXPECT_EQ(s,
            (std::vector<std::string>{"https://www.googleapis.com/auth/bigquery.readonly",
                                      "https://www.googleapis.com/auth/userinfo.email", "openid"}));
}

TEST(ResolveLoginScopes, NoDefaultScopesKeepsOnlyExtrasAndIdentity) {
  auto s = items(resolve_login_scopes(std::vector<std::string>{"bigquery"}, {"drive"}, true));
  EXPECT_EQ(s,
            (std::vector<std::string>{"https://www.googleapis.com/auth/drive",
                                      "https://www.googleapis.com/auth/userinfo.email", "openid"}));
}

TEST(ResolveLoginScopes, AnInvalidScopeIsABadRequestNamingIt) {
  auto s = resolve_login_scopes(std::nullopt, {"has space"}, false);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::bad_request);
  EXPECT_NE(s.error().message.find("has space"), std::string::npos);
}

class LoginManagerTest : public ::testing::Test {
 protected:
  LoginManager make(LoginManagerOptions options = {}) {
    return LoginManager(
        io_.get_executor(), http_, pool_,
        [](NewLogin) -> asio::awaitable<Result<Account>> {
          co_return fail(Errc::internal, "not used");
        },
        std::move(options));
  }
  static api::LoginStartRequest with_secrets() {
    api::LoginStartRequest r;
    r.client_secrets = nlohmann::json::parse(test::client_secrets_json(test::test_client()));
    return r;
  }

  asio::io_context io_;
  BlockingPool pool_{1};  // the listeners' owner lookups
  test::ScriptedHttp http_;
};

TEST_F(LoginManagerTest, StartHandsOutTheAuthUrlForTheLoopbackRedirect) {
  auto logins = make();
  auto request = with_secrets();
  request.login_hint = "alice@example.com";
  auto started = logins.start(request);
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->expires_in, 300);
  auto redirect = boost::urls::parse_absolute_uri(started->redirect_uri);
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->host(), "127.0.0.1");
  EXPECT_NE(redirect->port_number(), 0);
  EXPECT_EQ(redirect->path(), "/");

  auto url = boost::urls::parse_absolute_uri(started->auth_url);
  ASSERT_TRUE(url) << started->auth_url;
  EXPECT_EQ(url->path(), "/o/oauth2/auth");
  std::map<std::string, std::string> q;
  for (auto p : url->params()) q[p.key] = p.value;
  EXPECT_EQ(q["client_id"], "123-test.apps.googleusercontent.com");
  EXPECT_EQ(q["redirect_uri"], started->redirect_uri);
  EXPECT_EQ(q["code_challenge_method"], "S256");
  EXPECT_EQ(q["login_hint"], "alice@example.com");
  EXPECT_FALSE(q["state"].empty());

  auto flow = logins.find(started->login_id);
  ASSERT_TRUE(flow);
  EXPECT_EQ((*flow)->status().state, api::LoginState::pending);
  EXPECT_EQ((*flow)->redirect_uri(), started->redirect_uri);

  // Two logins never share an id or a state.
  auto other = logins.start(request);
  ASSERT_TRUE(other);
  EXPECT_NE(other->login_id, started->login_id);
  EXPECT_NE(other->auth_url, started->auth_url);
}

TEST_F(LoginManagerTest, NoClientSecretsAnywhereIsABadRequestWithAHint) {
  auto logins = make();
  auto started = logins.start(api::LoginStartRequest{});
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Errc::bad_request);
  EXPECT_NE(started.error().hint.find("--client-secrets FILE"), std::string::npos);
}

TEST_F(LoginManagerTest, TheConfiguredFileIsUsedWhenTheRequestSendsNone) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("login_manager_test_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << test::client_secrets_json(test::test_client());
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  LoginManagerOptions options;
  options.client_secrets_file = path;
  auto logins = make(options);
  auto started = logins.start(api::LoginStartRequest{});
  std::filesystem::remove(path);
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_NE(started->auth_url.find("123-test.apps.googleusercontent.com"), std::string::npos);

  LoginManagerOptions missing;
  missing.client_secrets_file = path;  // removed above
  auto logins2 = make(missing);
  auto failed = logins2.start(api::LoginStartRequest{});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::io_error);
  EXPECT_NE(failed.error().message.find(path.string()), std::string::npos);
}

TEST_F(LoginManagerTest, AConfiguredFileOthersMayWriteIsRefused) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("login_manager_loose_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << test::client_secrets_json(test::test_client());
  std::filesystem::permissions(path, static_cast<std::filesystem::perms>(0664));
  LoginManagerOptions options;
  options.client_secrets_file = path;
  auto logins = make(options);
  auto refused = logins.start(api::LoginStartRequest{});
  std::filesystem::remove(path);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::forbidden);
  EXPECT_NE(refused.error().message.find("client_secrets file " + path.string()),
            std::string::npos);
  EXPECT_EQ(refused.error().hint, "chmod go-w " + path.string());
}

TEST_F(LoginManagerTest, AWebClientIsRefusedNamingTheProblem) {
  auto logins = make();
  api::LoginStartRequest request;
  auto j = nlohmann::json::parse(test::client_secrets_json(test::test_client()));
  request.client_secrets = nlohmann::json{{"web", j["installed"]}};
  auto started = logins.start(request);
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("Web application"), std::string::npos)
      << started.error().message;
  EXPECT_EQ(logins.size(), 0u);
}

TEST_F(LoginManagerTest, WaitingLoginsAreCapped) {
  LoginManagerOptions options;
  options.max_pending = 2;
  auto logins = make(options);
  ASSERT_TRUE(logins.start(with_secrets()));
  auto second = logins.start(with_secrets());
  ASSERT_TRUE(second);
  auto third = logins.start(with_secrets());
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, Errc::conflict);
  // A cancelled one frees its slot.
  ASSERT_TRUE((*logins.find(second->login_id))->cancel());
  EXPECT_TRUE(logins.start(with_secrets()));
}

TEST_F(LoginManagerTest, UnknownIdIsNotFound) {
  auto logins = make();
  auto flow = logins.find("nope");
  ASSERT_FALSE(flow);
  EXPECT_EQ(flow.error().code, Errc::not_found);
}

TEST_F(LoginManagerTest, ShutdownFailsPendingLogins) {
  auto logins = make();
  auto started = logins.start(with_secrets());
  ASSERT_TRUE(started);
  logins.shutdown();
  auto status = (*logins.find(started->login_id))->status();
  EXPECT_EQ(status.state, api::LoginState::failed);
  EXPECT_EQ(status.error->code, Errc::shutting_down);
}

}  // namespace
}  // namespace bqb
