// The account endpoints with the real daemon and the fake Google (tests/support/fake_google.h):
// list, default, logout with revoke, ADC import, accounts surviving a kill -9, secrets never in the
// log. Accounts are created through POST /v1/accounts/import with refresh tokens this test obtains
// from the fake by playing the browser and the code exchange itself.
//
// Tests that use the Secret Service run only inside the private keyring of scripts/with-keyring.sh
// (scripts/test.sh runs every test there), never against a developer's own keyring.

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include "daemon/accounts/account.h"
#include "daemon/oauth/scopes.h"
#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;

constexpr std::string_view kScopes = kFakeScopes;

// --- The daemon's API ----------------------------------------------------------------------------

Expected<HttpResponse> api(const DaemonProcess& d, std::string_view method, std::string_view target,
                           const json& body = nullptr) {
  return daemon_api(d, method, target, body);
}

std::string config_for(const FakeGoogle& fake, std::string_view store) {
  return fmt::format(
      "store = \"{}\"\nlog_level = \"debug\"\n[oauth]\nrevoke_uri = \"{}/revoke\"\n"
      "token_uri = \"{}/token\"\n",
      store, fake.base_url(), fake.base_url());
}

json adc_for(const FakeGoogle& fake, const std::string& refresh_token) {
  return {{"type", "authorized_user"},
          {"client_id", fake.client().client_id},
          {"client_secret", fake.client().client_secret.reveal()},
          {"refresh_token", refresh_token},
          {"quota_project_id", "quota-project"}};
}

/// Imports a fresh refresh token of `email` into the daemon. @returns the API's answer.
Expected<HttpResponse> import_account(const DaemonProcess& d, FakeGoogle& fake,
                                      const std::string& email) {
  const std::string refresh_token = fake.mint_refresh_token(email, std::string(kScopes));
  return api(d, "POST", "/v1/accounts/import",
             {{"authorized_user", adc_for(fake, refresh_token)},
              {"token_uri", fake.base_url() + "/token"}});
}

json refresh_token_record(FakeGoogle& fake, const std::string& email) {
  const json tokens = fake.tokens();  // named: a temporary would die before the loop body
  for (const json& t : tokens["refresh_tokens"]) {
    if (t["email"] == email) return t;
  }
  return nullptr;
}

bool in_private_keyring() {
  const char* v = std::getenv("BQBROKER_IN_KEYRING_SESSION");
  return v != nullptr && std::string_view(v) == "1";
}

/// @returns the secret `secret-tool lookup` finds for (email, client id): "" when none.
std::string keyring_lookup(const std::string& email, const std::string& client_id) {
  auto r = run_process({"secret-tool", "lookup", "account", email, "client_id", client_id},
                       Environment::minimal());
  return r.out;
}

class AccountsTest : public ::testing::Test {
 protected:
  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
};

// --- Tests ---------------------------------------------------------------------------------------

TEST_F(AccountsTest, ImportListAndDefault) {
  DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "memory")));
  ASSERT_TRUE(d.wait_ready());

  auto empty = api(d, "GET", "/v1/accounts");
  ASSERT_TRUE(empty && empty->status == 200);
  EXPECT_EQ(empty->json(), json({{"accounts", json::array()}, {"default", nullptr}}));

  auto a = import_account(d, fake_, "alice@example.com");
  ASSERT_TRUE(a) << a.error();
  ASSERT_EQ(a->status, 201) << *a;
  const json alice = a->json();
  EXPECT_EQ(alice["email"], "alice@example.com");
  EXPECT_EQ(alice["client_id"], fake_.client().client_id);
  EXPECT_EQ(alice["project_id"], "quota-project");
  EXPECT_EQ(alice["state"], "ok");
  EXPECT_EQ(alice["default"], true);
  EXPECT_TRUE(alice["added_at"].is_string());
  EXPECT_NE(std::find(alice["scopes"].begin(), alice["scopes"].end(),
                      "https://www.googleapis.com/auth/bigquery"),
            alice["scopes"].end())
      << alice;
  for (const char* secret_field : {"refresh_token", "client_secret"}) {
    EXPECT_FALSE(alice.contains(secret_field)) << alice;
  }

  auto b = import_account(d, fake_, "bob@example.com");
  ASSERT_TRUE(b && b->status == 201) << (b ? b->body : b.error());
  EXPECT_EQ(b->json()["default"], false);

  auto list = api(d, "GET", "/v1/accounts");
  ASSERT_TRUE(list && list->status == 200);
  const json l = list->json();
  ASSERT_EQ(l["accounts"].size(), 2u) << l;
  EXPECT_EQ(l["accounts"][0]["email"], "alice@example.com");
  EXPECT_EQ(l["accounts"][1]["email"], "bob@example.com");
  EXPECT_EQ(l["default"], "alice@example.com");

  auto set = api(d, "PUT", "/v1/accounts/default", {{"email", "bob@example.com"}});
  ASSERT_TRUE(set && set->status == 200) << (set ? set->body : set.error());
  EXPECT_EQ(set->json()["email"], "bob@example.com");
  EXPECT_EQ(set->json()["default"], true);
  EXPECT_EQ(api(d, "GET", "/v1/accounts")->json()["default"], "bob@example.com");

  EXPECT_TRUE(is_api_error(api(d, "PUT", "/v1/accounts/default", {{"email", "nobody@x.org"}}), 404,
                           "not_found"));
  EXPECT_TRUE(
      is_api_error(api(d, "PUT", "/v1/accounts/default", {{"mail", "typo"}}), 400, "invalid_json"));

  // GET /v1/status shows the same account objects and the active store.
  auto status = api(d, "GET", "/v1/status");
  ASSERT_TRUE(status && status->status == 200);
  EXPECT_EQ(status->json()["store"], "memory");
  EXPECT_EQ(status->json()["accounts"], api(d, "GET", "/v1/accounts")->json()["accounts"]);
}

TEST_F(AccountsTest, LogoutRevokesDeletesAndForgets) {
  DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "memory")));
  ASSERT_TRUE(d.wait_ready());
  ASSERT_EQ(import_account(d, fake_, "alice@example.com")->status, 201);
  ASSERT_EQ(import_account(d, fake_, "bob@example.com")->status, 201);
  ASSERT_EQ(refresh_token_record(fake_, "alice@example.com")["revoked"], false);

  auto out = api(d, "DELETE", "/v1/accounts/alice@example.com");
  ASSERT_TRUE(out && out->status == 200) << (out ? out->body : out.error());
  EXPECT_EQ(out->json(), json({{"email", "alice@example.com"}, {"revoked", true}}));
  // Google (the fake) saw the revoke of exactly that refresh token.
  EXPECT_EQ(refresh_token_record(fake_, "alice@example.com")["revoked"], true);
  EXPECT_EQ(refresh_token_record(fake_, "bob@example.com")["revoked"], false);

  const json l = api(d, "GET", "/v1/accounts")->json();
  ASSERT_EQ(l["accounts"].size(), 1u) << l;
  EXPECT_EQ(l["accounts"][0]["email"], "bob@example.com");
  EXPECT_EQ(l["default"], "bob@example.com");  // the default moved on

  EXPECT_TRUE(is_api_error(api(d, "DELETE", "/v1/accounts/alice@example.com"), 404, "not_found"));
}

TEST_F(AccountsTest, LogoutWithFailingRevokeStillDeletesAndSaysSo) {
  DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "memory")));
  ASSERT_TRUE(d.wait_ready());
  ASSERT_EQ(import_account(d, fake_, "alice@example.com")->status, 201);
  // The token dies at Google first (the user revoked it in their account settings): Google's
  // revoke endpoint then answers 400 invalid_token.
  ASSERT_EQ(
      fake_.control("POST", "/refresh_tokens/revoke", {{"email", "alice@example.com"}})["count"],
      1);

  auto out = api(d, "DELETE", "/v1/accounts/alice@example.com");
  ASSERT_TRUE(out && out->status == 200) << (out ? out->body : out.error());
  const json j = out->json();
  EXPECT_EQ(j["revoked"], false);
  ASSERT_TRUE(j["revoke_error"].is_string()) << j;
  EXPECT_NE(j["revoke_error"].get<std::string>().find("400"), std::string::npos) << j;
  EXPECT_EQ(api(d, "GET", "/v1/accounts")->json()["accounts"], json::array());
}

TEST_F(AccountsTest, LogoutWithUnreachableRevokeEndpointStillDeletes) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  DaemonProcess d(sandbox_, DaemonOptions().with_config(fmt::format(
                                "store = \"memory\"\n[oauth]\nrevoke_uri = "
                                "\"http://127.0.0.1:1/revoke\"\ntoken_uri = \"{}/token\"\n",
                                fake_.base_url())));
  ASSERT_TRUE(d.wait_ready());
  ASSERT_EQ(import_account(d, fake_, "alice@example.com")->status, 201);
  auto out = api(d, "DELETE", "/v1/accounts/alice@example.com");
  ASSERT_TRUE(out && out->status == 200) << (out ? out->body : out.error());
  EXPECT_EQ(out->json()["revoked"], false);
  EXPECT_TRUE(out->json()["revoke_error"].is_string());
  EXPECT_EQ(refresh_token_record(fake_, "alice@example.com")["revoked"], false);
  EXPECT_EQ(api(d, "GET", "/v1/accounts")->json()["accounts"], json::array());
}

TEST_F(AccountsTest, ImportOfARevokedTokenFailsAndStoresNothing) {
  DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "memory")));
  ASSERT_TRUE(d.wait_ready());
  const std::string token = fake_.mint_refresh_token("alice@example.com", std::string(kScopes));
  fake_.control("POST", "/refresh_tokens/revoke", {{"refresh_token", token}});
  auto out =
      api(d, "POST", "/v1/accounts/import",
          {{"authorized_user", adc_for(fake_, token)}, {"token_uri", fake_.base_url() + "/token"}});
  EXPECT_TRUE(is_api_error(out, 502, "login_failed")) << (out ? out->body : out.error());
  EXPECT_EQ(api(d, "GET", "/v1/accounts")->json()["accounts"], json::array());
}

TEST_F(AccountsTest, AnImportCannotChooseWhereTheAccountRefreshes) {
  DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "memory")));
  ASSERT_TRUE(d.wait_ready());
  const std::string refresh_token =
      fake_.mint_refresh_token("eve@example.com", std::string(kScopes));
  auto r = api(d, "POST", "/v1/accounts/import",
               {{"authorized_user", adc_for(fake_, refresh_token)},
                {"token_uri", "http://127.0.0.1:1/token"}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(is_api_error(*r, 403, "forbidden")) << r->body;
  EXPECT_EQ(api(d, "GET", "/v1/accounts")->json()["accounts"], json::array());
  EXPECT_EQ(d.log().find("1//"), std::string::npos) << "a refresh token reached the log";
}

TEST_F(AccountsTest, ImportRejectsOtherCredentialTypes) {
  DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "memory")));
  ASSERT_TRUE(d.wait_ready());
  EXPECT_TRUE(is_api_error(
      api(d, "POST", "/v1/accounts/import", {{"authorized_user", {{"type", "service_account"}}}}),
      400, "bad_request"));
  EXPECT_TRUE(
      is_api_error(api(d, "POST", "/v1/accounts/import", {{"file", "x"}}), 400, "invalid_json"));
}

TEST_F(AccountsTest, AccountsSurviveKill9AndKeepTheirClientSecret) {
  std::string alice_token;
  {
    DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "file")));
    ASSERT_TRUE(d.wait_ready());
    ASSERT_EQ(import_account(d, fake_, "alice@example.com")->status, 201);
    alice_token = refresh_token_record(fake_, "alice@example.com")["refresh_token"];
    EXPECT_EQ(d.stop(SIGKILL), ExitStatus::killed_by(SIGKILL));
  }
  // The user deletes the downloaded client_secrets.json: nothing needs it any more.
  std::filesystem::remove(fake_.client_secrets_file());

  DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "file")));
  ASSERT_TRUE(d.wait_ready());
  const json l = api(d, "GET", "/v1/accounts")->json();
  ASSERT_EQ(l["accounts"].size(), 1u) << l;
  EXPECT_EQ(l["accounts"][0]["email"], "alice@example.com");
  EXPECT_EQ(l["default"], "alice@example.com");

  // The stored record, read back through the file store's format, still holds both secrets.
  std::ifstream in(sandbox_.state_home() / "bqbroker" / "credentials.json");
  std::stringstream text;
  text << in.rdbuf();
  const json file = json::parse(text.str(), nullptr, false);
  ASSERT_TRUE(file.is_object()) << "credentials.json unreadable";
  ASSERT_EQ(file["items"].size(), 1u);
  EXPECT_EQ(file["items"][0]["account"], "alice@example.com");
  auto creds = stored_credentials_from_secret(Secret(file["items"][0]["secret"].get<std::string>()),
                                              "credentials.json");
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->refresh_token.reveal(), alice_token);
  EXPECT_EQ(creds->client_secret.reveal(), fake_.client().client_secret.reveal());
  // And nothing secret in the registry file.
  std::ifstream reg(sandbox_.state_home() / "bqbroker" / "accounts.json");
  std::stringstream reg_text;
  reg_text << reg.rdbuf();
  EXPECT_EQ(reg_text.str().find(alice_token), std::string::npos);
  EXPECT_EQ(reg_text.str().find(fake_.client().client_secret.reveal()), std::string::npos);
}

TEST_F(AccountsTest, SecretsNeverAppearInTheDaemonLog) {
  DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "memory")));
  ASSERT_TRUE(d.wait_ready());
  ASSERT_EQ(import_account(d, fake_, "alice@example.com")->status, 201);
  ASSERT_EQ(api(d, "DELETE", "/v1/accounts/alice@example.com")->status, 200);
  // A refused import too: its error path handles the token as well.
  const std::string dead = fake_.mint_refresh_token("bob@example.com", std::string(kScopes));
  fake_.control("POST", "/refresh_tokens/revoke", {{"refresh_token", dead}});
  api(d, "POST", "/v1/accounts/import",
      {{"authorized_user", adc_for(fake_, dead)}, {"token_uri", fake_.base_url() + "/token"}});
  ASSERT_TRUE(d.serves_status());

  const std::string log = d.log();
  ASSERT_NE(log.find("alice@example.com"), std::string::npos) << "the log shows no activity";
  const json tokens = fake_.tokens();
  std::vector<std::string> secrets{fake_.client().client_secret.reveal()};
  for (const json& t : tokens["refresh_tokens"]) secrets.push_back(t["refresh_token"]);
  for (const json& t : tokens["access_tokens"]) secrets.push_back(t["access_token"]);
  ASSERT_GE(secrets.size(), 4u);
  for (const auto& s : secrets) EXPECT_EQ(log.find(s), std::string::npos) << "leaked: " << s;
}

// --- With the Secret Service (private keyring only) ----------------------------------------------

TEST_F(AccountsTest, KeyringHoldsTheTokenUntilLogoutAndAcrossKill9) {
  ASSERT_TRUE(in_private_keyring())
      << "needs the private keyring: run under scripts/with-keyring.sh (scripts/test.sh does)";
  const std::string client_id = fake_.client().client_id;
  {
    DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "secret-service")));
    ASSERT_TRUE(d.wait_ready());
    auto a = import_account(d, fake_, "carol@example.com");
    ASSERT_TRUE(a && a->status == 201) << (a ? a->body : a.error());
    EXPECT_EQ(d.stop(SIGKILL), ExitStatus::killed_by(SIGKILL));
  }
  std::filesystem::remove(fake_.client_secrets_file());

  DaemonProcess d(sandbox_, DaemonOptions().with_config(config_for(fake_, "secret-service")));
  ASSERT_TRUE(d.wait_ready());
  EXPECT_EQ(api(d, "GET", "/v1/status")->json()["store"], "secret-service");
  EXPECT_EQ(api(d, "GET", "/v1/accounts")->json()["accounts"][0]["email"], "carol@example.com");
  auto creds = stored_credentials_from_secret(
      Secret(keyring_lookup("carol@example.com", client_id)), "the keyring");
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->refresh_token.reveal(),
            refresh_token_record(fake_, "carol@example.com")["refresh_token"]);
  EXPECT_EQ(creds->client_secret.reveal(), fake_.client().client_secret.reveal());

  auto out = api(d, "DELETE", "/v1/accounts/carol@example.com");
  ASSERT_TRUE(out && out->status == 200) << (out ? out->body : out.error());
  EXPECT_EQ(out->json()["revoked"], true);
  auto search = run_process({"secret-tool", "search", "--all", "account", "carol@example.com"},
                            Environment::minimal());
  EXPECT_EQ(search.out, "") << search;
  EXPECT_EQ(keyring_lookup("carol@example.com", client_id), "");
}

}  // namespace
}  // namespace bqb::itest
