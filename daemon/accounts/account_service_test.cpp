#include "daemon/accounts/account_service.h"

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include "daemon/accounts/account_registry.h"
#include "daemon/accounts/memory_store.h"
#include "daemon/base/blocking.h"
#include "daemon/base/redact.h"
#include "daemon/net/http_client.h"
#include "tests/support/temp_dir.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::awaitable;

constexpr std::string_view kClientId = "111-svc.apps.googleusercontent.com";
constexpr std::string_view kOtherClientId = "222-other.apps.googleusercontent.com";
constexpr std::string_view kTokenUri = "http://127.0.0.1:9/token";
constexpr std::string_view kRevokeUri = "http://127.0.0.1:9/revoke";

/// An HttpClient that records requests and answers from a script, in order. `gate`, when set,
/// holds every answer until it is opened (to keep a request in flight).
class FakeHttp final : public HttpClient {
 public:
  explicit FakeHttp(asio::any_io_executor ex) : gate_(ex) {}

  awaitable<Result<HttpResponse>> send(HttpRequest request) override {
    requests.push_back(request);
    if (held_) {
      boost::system::error_code ec;
      co_await gate_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (answers.empty()) co_return fail(Errc::internal, "FakeHttp: no answer scripted");
    auto answer = std::move(answers.front());
    answers.pop_front();
    co_return answer;
  }

  void answer(int status, std::string body) {
    answers.push_back(HttpResponse{status, {}, std::move(body)});
  }
  void answer_error(Error e) { answers.push_back(tl::unexpected(std::move(e))); }
  void hold() {
    held_ = true;
    gate_.expires_at(asio::steady_timer::time_point::max());
  }
  void release() {
    held_ = false;
    gate_.cancel();
  }

  std::vector<HttpRequest> requests;
  std::deque<Result<HttpResponse>> answers;

 private:
  bool held_ = false;
  asio::steady_timer gate_;
};

class AccountServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    open_service();
  }
  void TearDown() override { service_.reset(); }

  void open_service() {
    service_.reset();
    auto reg = AccountRegistry::open(root_ / "state", std::chrono::sys_seconds{});
    ASSERT_TRUE(reg) << reg.error().message;
    registry_ = std::move(*reg);
    AccountServiceOptions options;
    options.revoke_uri = std::string(kRevokeUri);
    options.token_uri = std::string(kTokenUri);
    service_ = std::make_unique<AccountService>(io_.get_executor(), store_, *registry_, http_,
                                                pool_, options);
  }

  /// Runs `a` to completion on the io_context and returns its result.
  template <class T>
  T run(awaitable<T> a) {
    std::optional<T> out;
    asio::co_spawn(io_, std::move(a), [&](std::exception_ptr e, T v) {
      if (e) std::rethrow_exception(e);
      out.emplace(std::move(v));
    });
    io_.restart();
    io_.run();
    EXPECT_TRUE(out.has_value());
    return std::move(*out);
  }

  static NewLogin login(std::string email, std::optional<std::string> refresh_token,
                        std::string_view client_id = kClientId,
                        std::string client_secret = "GOCSPX-client-secret-one") {
    NewLogin l;
    l.email = std::move(email);
    l.client.client_id = std::string(client_id);
    l.client.client_secret = Secret(std::move(client_secret));
    l.client.token_uri = std::string(kTokenUri);
    l.project_id = "proj-1";
    l.granted_scopes = {"https://www.googleapis.com/auth/bigquery", "openid", "email"};
    if (refresh_token) l.refresh_token = Secret(*refresh_token);
    return l;
  }

  std::optional<StoredCredentials> stored(std::string email, std::string_view client_id) {
    auto got = store_.get(SecretKey{std::move(email), std::string(client_id)});
    EXPECT_TRUE(got);
    if (!got || !*got) return std::nullopt;
    auto creds = stored_credentials_from_secret(**got, "test");
    EXPECT_TRUE(creds);
    return creds ? std::optional(*creds) : std::nullopt;
  }

  bqb::testing::TempDir tmp_;
  fs::path root_;
  asio::io_context io_;
  MemoryStore store_;
  FakeHttp http_{io_.get_executor()};
  BlockingPool pool_{1};
  std::unique_ptr<AccountRegistry> registry_;
  std::unique_ptr<AccountService> service_;
};

// --- add_login -----------------------------------------------------------------------------------

TEST_F(AccountServiceTest, AddLoginStoresSecretAndMetadataFirstIsDefault) {
  auto a = run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789")));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->email, "a@example.com");
  EXPECT_EQ(a->client_id, kClientId);
  EXPECT_EQ(a->token_uri, kTokenUri);
  EXPECT_EQ(a->project_id, "proj-1");
  EXPECT_EQ(a->state, AccountState::ok);
  // Scopes are kept in canonical spelling.
  EXPECT_EQ(a->scopes,
            (std::vector<std::string>{"https://www.googleapis.com/auth/bigquery",
                                      "https://www.googleapis.com/auth/userinfo.email", "openid"}));

  auto creds = stored("a@example.com", kClientId);
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->refresh_token.reveal(), "1//refresh-a-0123456789");
  EXPECT_EQ(creds->client_secret.reveal(), "GOCSPX-client-secret-one");
  EXPECT_EQ(store_.label(SecretKey{"a@example.com", std::string(kClientId)}),
            credentials_label("a@example.com"));

  auto b = run(service_->add_login(login("b@example.com", "1//refresh-b-0123456789")));
  ASSERT_TRUE(b);
  EXPECT_EQ(service_->default_email(), "a@example.com");
  ASSERT_EQ(service_->list().size(), 2u);
  EXPECT_EQ(service_->list()[1].email, "b@example.com");
}

TEST_F(AccountServiceTest, AddLoginSurvivesReopeningTheRegistry) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  open_service();
  ASSERT_TRUE(service_->find("a@example.com"));
  auto creds = run(service_->credentials("a@example.com"));
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->refresh_token.reveal(), "1//refresh-a-0123456789");
  EXPECT_EQ(creds->client.client_secret.reveal(), "GOCSPX-client-secret-one");
  EXPECT_EQ(creds->client.client_id, kClientId);
  EXPECT_EQ(creds->client.token_uri, kTokenUri);
}

TEST_F(AccountServiceTest, AddLoginRemembersSecretsForRedaction) {
  ASSERT_TRUE(run(service_->add_login(
      login("a@example.com", "plainrefreshvalue-42", kClientId, "plainclientsecret-42"))));
  const std::string text =
      Redactor::global().apply("x plainrefreshvalue-42 y plainclientsecret-42");
  EXPECT_EQ(text.find("plainrefreshvalue-42"), std::string::npos) << text;
  EXPECT_EQ(text.find("plainclientsecret-42"), std::string::npos) << text;
}

TEST_F(AccountServiceTest, AddLoginWithoutRefreshTokenFailsWhenNoneIsStored) {
  auto a = run(service_->add_login(login("a@example.com", std::nullopt)));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::login_failed);
  EXPECT_NE(a.error().message.find("no refresh_token"), std::string::npos) << a.error().message;
  EXPECT_TRUE(service_->list().empty());
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(AccountServiceTest, AddLoginWithoutRefreshTokenKeepsTheStoredOne) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  auto again = run(service_->add_login(
      login("a@example.com", std::nullopt, kClientId, "GOCSPX-rotated-secret")));
  ASSERT_TRUE(again) << again.error().message;
  auto creds = stored("a@example.com", kClientId);
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->refresh_token.reveal(), "1//refresh-a-0123456789");
  EXPECT_EQ(creds->client_secret.reveal(), "GOCSPX-rotated-secret");
}

TEST_F(AccountServiceTest, AddLoginClearsNeedsLoginAndKeepsAddedAt) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  const auto added_at = service_->find("a@example.com")->added_at;
  ASSERT_TRUE(run(service_->mark_needs_login("a@example.com", "refresh token revoked")));
  auto marked = service_->find("a@example.com");
  EXPECT_EQ(marked->state, AccountState::needs_login);
  EXPECT_EQ(marked->state_reason, "refresh token revoked");

  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-new-98765"))));
  auto fresh = service_->find("a@example.com");
  EXPECT_EQ(fresh->state, AccountState::ok);
  EXPECT_EQ(fresh->state_reason, "");
  EXPECT_EQ(fresh->added_at, added_at);
}

TEST_F(AccountServiceTest, AddLoginWithAnotherClientReplacesAndRemovesTheOldSecret) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  ASSERT_TRUE(run(
      service_->add_login(login("a@example.com", "1//refresh-a-other-client", kOtherClientId))));
  EXPECT_EQ(service_->list().size(), 1u);
  EXPECT_EQ(service_->find("a@example.com")->client_id, kOtherClientId);
  EXPECT_FALSE(stored("a@example.com", kClientId));
  EXPECT_TRUE(stored("a@example.com", kOtherClientId));
}

TEST_F(AccountServiceTest, AddLoginWithStoreDownChangesNothing) {
  store_.fail_with(Error{Errc::store_unavailable, "keyring locked", "unlock it"});
  auto a = run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789")));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::store_unavailable);
  EXPECT_EQ(a.error().hint, "unlock it");
  EXPECT_TRUE(service_->list().empty());
}

TEST_F(AccountServiceTest, AddLoginNotifiesObservers) {
  std::vector<std::string> seen;
  service_->on_account_stored([&](const Account& a) { seen.push_back(a.email); });
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  EXPECT_EQ(seen, std::vector<std::string>{"a@example.com"});
}

// --- set_default ---------------------------------------------------------------------------------

TEST_F(AccountServiceTest, SetDefault) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  ASSERT_TRUE(run(service_->add_login(login("b@example.com", "1//refresh-b-0123456789"))));
  auto b = run(service_->set_default("b@example.com"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->email, "b@example.com");
  EXPECT_EQ(service_->default_email(), "b@example.com");

  auto unknown = run(service_->set_default("nobody@example.com"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::not_found);
  EXPECT_EQ(service_->default_email(), "b@example.com");
}

// --- logout --------------------------------------------------------------------------------------

TEST_F(AccountServiceTest, LogoutRevokesInTheBodyDeletesAndForgets) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  ASSERT_TRUE(run(service_->add_login(login("b@example.com", "1//refresh-b-0123456789"))));
  std::vector<std::string> removed;
  service_->on_account_removed([&](const std::string& e) { removed.push_back(e); });
  http_.answer(200, "{}");

  auto out = run(service_->logout("a@example.com"));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->email, "a@example.com");
  EXPECT_TRUE(out->revoked);
  EXPECT_FALSE(out->revoke_error);

  ASSERT_EQ(http_.requests.size(), 1u);
  const HttpRequest& r = http_.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, kRevokeUri);  // no query: the token must not be in the URL
  EXPECT_EQ(r.body, "token=1%2F%2Frefresh-a-0123456789");
  EXPECT_FALSE(stored("a@example.com", kClientId));
  EXPECT_TRUE(stored("b@example.com", kClientId));
  EXPECT_FALSE(service_->find("a@example.com"));
  EXPECT_EQ(service_->default_email(), "b@example.com");
  EXPECT_EQ(removed, std::vector<std::string>{"a@example.com"});
}

TEST_F(AccountServiceTest, LogoutWithFailedRevokeStillDeletesAndSaysSo) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  http_.answer(400, R"({"error":"invalid_token","error_description":"Token expired or revoked"})");
  auto out = run(service_->logout("a@example.com"));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE(out->revoked);
  ASSERT_TRUE(out->revoke_error);
  EXPECT_NE(out->revoke_error->find("HTTP 400"), std::string::npos) << *out->revoke_error;
  EXPECT_FALSE(stored("a@example.com", kClientId));
  EXPECT_TRUE(service_->list().empty());
}

TEST_F(AccountServiceTest, LogoutWithUnreachableRevokeEndpointStillDeletes) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  http_.answer_error(Error{Errc::upstream_unavailable, "cannot connect to 127.0.0.1:9", ""});
  auto out = run(service_->logout("a@example.com"));
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->revoked);
  EXPECT_EQ(out->revoke_error, "cannot connect to 127.0.0.1:9");
  EXPECT_TRUE(service_->list().empty());
}

TEST_F(AccountServiceTest, LogoutWithStoreDownKeepsTheAccount) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  bool notified = false;
  service_->on_account_removed([&](const std::string&) { notified = true; });
  store_.fail_with(Error{Errc::store_unavailable, "no Secret Service", "start one"});
  auto out = run(service_->logout("a@example.com"));
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::store_unavailable);
  EXPECT_TRUE(service_->find("a@example.com"));
  EXPECT_FALSE(notified);
  EXPECT_TRUE(http_.requests.empty());
  store_.fail_with(std::nullopt);
  EXPECT_TRUE(stored("a@example.com", kClientId));
}

TEST_F(AccountServiceTest, LogoutOfUnknownAccountIsNotFound) {
  auto out = run(service_->logout("nobody@example.com"));
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::not_found);
}

TEST_F(AccountServiceTest, LoginDuringALogoutWaitsAndWins) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  http_.answer(200, "{}");
  http_.hold();  // the revoke stays in flight until released
  std::optional<Result<LogoutResult>> logout_result;
  std::optional<Result<Account>> login_result;
  asio::co_spawn(io_, service_->logout("a@example.com"),
                 [&](std::exception_ptr, Result<LogoutResult> r) { logout_result = r; });
  asio::co_spawn(io_, service_->add_login(login("a@example.com", "1//refresh-a-second-login")),
                 [&](std::exception_ptr, Result<Account> r) { login_result = r; });
  io_.restart();
  // Let both start; the logout is parked in the revoke, the login on the service's lock.
  while (http_.requests.empty()) io_.run_one();
  for (int i = 0; i < 50; ++i) io_.poll();
  EXPECT_FALSE(login_result) << "the login ran while the logout was in progress";
  http_.release();
  io_.run();
  ASSERT_TRUE(logout_result && *logout_result);
  ASSERT_TRUE(login_result && *login_result);
  auto creds = stored("a@example.com", kClientId);
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->refresh_token.reveal(), "1//refresh-a-second-login");
  EXPECT_TRUE(service_->find("a@example.com"));
}

// --- credentials ---------------------------------------------------------------------------------

TEST_F(AccountServiceTest, CredentialsOfAnAccountWithoutSecretNeedLogin) {
  ASSERT_TRUE(run(service_->add_login(login("a@example.com", "1//refresh-a-0123456789"))));
  ASSERT_TRUE(store_.remove(SecretKey{"a@example.com", std::string(kClientId)}));
  auto creds = run(service_->credentials("a@example.com"));
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().code, Errc::needs_login);
  auto unknown = run(service_->credentials("nobody@example.com"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::not_found);
}

// --- import_adc ----------------------------------------------------------------------------------

oauth::AuthorizedUser adc() {
  oauth::AuthorizedUser u;
  u.client.client_id = "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com";
  u.client.client_secret = Secret("adc-client-secret-xyz");
  u.client.token_uri = std::string(kTokenUri);
  u.refresh_token = Secret("1//adc-refresh-token-abc");
  u.quota_project_id = "quota-proj";
  return u;
}

TEST_F(AccountServiceTest, ImportAdcChecksWithOneRefreshAndReadsTheEmail) {
  http_.answer(200,
               R"({"access_token":"ya29.adc-access","expires_in":3599,"token_type":"Bearer"})");
  http_.answer(
      200,
      R"({"email":"adc@example.com","scope":"openid https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email"})");
  auto a = run(service_->import_adc(adc()));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->email, "adc@example.com");
  EXPECT_EQ(a->project_id, "quota-proj");
  EXPECT_EQ(a->scopes,
            (std::vector<std::string>{"https://www.googleapis.com/auth/cloud-platform",
                                      "https://www.googleapis.com/auth/userinfo.email", "openid"}));
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(http_.requests[0].method, "POST");
  EXPECT_EQ(http_.requests[0].url, kTokenUri);
  EXPECT_NE(http_.requests[0].body.find("grant_type=refresh_token"), std::string::npos);
  EXPECT_EQ(http_.requests[1].method, "GET");
  auto info_url = boost::urls::parse_absolute_uri(http_.requests[1].url);
  ASSERT_TRUE(info_url);
  EXPECT_EQ(info_url->path(), "/tokeninfo");
  EXPECT_EQ(info_url->encoded_authority(), "127.0.0.1:9");
  auto access_token = info_url->params().find("access_token");
  ASSERT_NE(access_token, info_url->params().end());
  EXPECT_EQ((*access_token).value, "ya29.adc-access");

  auto creds = stored("adc@example.com", adc().client.client_id);
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->refresh_token.reveal(), "1//adc-refresh-token-abc");
  EXPECT_EQ(creds->client_secret.reveal(), "adc-client-secret-xyz");
}

TEST_F(AccountServiceTest, ImportAdcRefreshesAtTheConfiguredEndpointWhateverTheCredentialsSay) {
  http_.answer(200, R"({"access_token":"ya29.adc-access","expires_in":3599})");
  http_.answer(
      200,
      R"({"email":"adc@example.com","scope":"openid https://www.googleapis.com/auth/userinfo.email"})");
  auto elsewhere = adc();
  elsewhere.client.token_uri = "https://attacker.example/token";
  auto a = run(service_->import_adc(elsewhere, std::string(kTokenUri)));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->token_uri, kTokenUri);
  ASSERT_FALSE(http_.requests.empty());
  EXPECT_EQ(http_.requests[0].url, kTokenUri);
}

TEST_F(AccountServiceTest, ImportAdcRefusesAnotherTokenEndpointBeforeSendingAnything) {
  auto a = run(service_->import_adc(adc(), "https://attacker.example/token"));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::forbidden);
  EXPECT_NE(a.error().message.find("https://attacker.example/token"), std::string::npos);
  EXPECT_NE(a.error().hint.find("[oauth] token_uri"), std::string::npos);
  EXPECT_TRUE(http_.requests.empty());
  EXPECT_TRUE(service_->list().empty());
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(AccountServiceTest, ImportAdcWithARefusedTokenStoresNothing) {
  http_.answer(
      400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})");
  auto a = run(service_->import_adc(adc()));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::login_failed);
  EXPECT_EQ(http_.requests.size(), 1u);
  EXPECT_TRUE(service_->list().empty());
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(AccountServiceTest, ImportAdcWithoutEmailScopeFails) {
  http_.answer(200, R"({"access_token":"ya29.adc-access","expires_in":3599})");
  http_.answer(200, R"({"scope":"https://www.googleapis.com/auth/cloud-platform"})");
  auto a = run(service_->import_adc(adc()));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::login_failed);
  EXPECT_NE(a.error().message.find("email"), std::string::npos);
  EXPECT_TRUE(service_->list().empty());
}

}  // namespace
}  // namespace bqb
