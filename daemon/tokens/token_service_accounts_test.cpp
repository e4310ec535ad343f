// The token service with the real account service behind its AccountDirectory: that logins,
// logouts and the needs_login state reach the token service the way it counts on. The token
// service's own behaviour is tested against a fake directory (token_service_test.cpp).

#include <cstdlib>
#include <filesystem>
#include <optional>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "daemon/accounts/account_registry.h"
#include "daemon/accounts/account_service.h"
#include "daemon/accounts/memory_store.h"
#include "daemon/base/blocking.h"
#include "daemon/tokens/token_service.h"
#include "tests/support/temp_dir.h"
#include "tests/support/token_test_support.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::awaitable;
using namespace std::chrono_literals;
using test::FakeTokenEndpoint;
using test::form_field;

constexpr std::string_view kEmail = "a@example.com";

class TokenServiceAccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    auto reg = AccountRegistry::open(root_ / "state", std::chrono::sys_seconds{});
    ASSERT_TRUE(reg) << reg.error().message;
    registry_ = std::move(*reg);
    AccountServiceOptions account_options;
    account_options.revoke_uri = std::string(test::kRevokeUri);
    accounts_ = std::make_unique<AccountService>(io_.get_executor(), store_, *registry_, http_,
                                                 pool_, account_options);
    TokenServiceOptions options;
    options.clock = [this] { return now_; };
    options.random = [] { return 0.5; };
    options.backoff.initial = 2ms;
    options.backoff.maximum = 4ms;
    options.backoff.max_attempts = 3;
    // An AccountService is an AccountDirectory: the daemon constructs the service like this.
    tokens_ = std::make_unique<TokenService>(io_.get_executor(), *accounts_, http_, options);
  }
  void TearDown() override {
    tokens_.reset();
    accounts_.reset();
  }

  /// Runs `a` until it completes (the io_context stops then, with other work left pending).
  template <class T>
  T run(awaitable<T> a) {
    std::optional<T> out;
    std::exception_ptr error;
    asio::co_spawn(io_, std::move(a), [&](std::exception_ptr e, T v) {
      error = e;
      out.emplace(std::move(v));
      io_.stop();
    });
    io_.restart();
    io_.run_for(10s);
    if (error) std::rethrow_exception(error);
    if (!out) throw std::runtime_error("the task under test did not complete within 10 s");
    return std::move(*out);
  }

  void login() {
    NewLogin l;
    l.email = std::string(kEmail);
    l.client.client_id = "111-svc.apps.googleusercontent.com";
    l.client.client_secret = Secret("GOCSPX-client-secret-one");
    l.client.token_uri = std::string(test::kTokenUri);
    l.granted_scopes = {"bigquery", "bigquery.readonly", "openid", "email"};
    l.refresh_token = Secret("1//refresh-token-0123456789");
    auto a = run(accounts_->add_login(std::move(l)));
    ASSERT_TRUE(a) << a.error().message;
  }

  Result<IssuedToken> token() {
    TokenRequest r;
    r.caller = TokenCaller{1000, 4242, "/usr/bin/test", "test"};
    return run(tokens_->token(std::move(r)));
  }

  bqb::testing::TempDir tmp_;
  fs::path root_;
  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::from_time_t(1'800'000'000);
  asio::io_context io_;
  MemoryStore store_;
  FakeTokenEndpoint http_{io_.get_executor()};
  BlockingPool pool_{1};
  std::unique_ptr<AccountRegistry> registry_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<TokenService> tokens_;
};

std::string value(const Result<IssuedToken>& t) {
  return t ? t->access_token.reveal() : "error: " + t.error().message;
}

TEST_F(TokenServiceAccountsTest, TheRefreshUsesTheStoredCredentials) {
  login();
  EXPECT_EQ(value(token()), "ya29.fake-1");
  ASSERT_EQ(http_.token_requests.size(), 1u);
  const auto& body = http_.token_requests[0].body;
  EXPECT_EQ(form_field(body, "client_id"), "111-svc.apps.googleusercontent.com");
  EXPECT_EQ(form_field(body, "client_secret"), "GOCSPX-client-secret-one");
  EXPECT_EQ(form_field(body, "refresh_token"), "1//refresh-token-0123456789");
}

TEST_F(TokenServiceAccountsTest, ARefusedRefreshTokenIsRecordedAndANewLoginClearsIt) {
  login();
  http_.fault(401, R"({"error":"invalid_client"})");
  auto refused = token();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::needs_login);
  auto marked = accounts_->find(kEmail);
  ASSERT_TRUE(marked);
  EXPECT_EQ(marked->state, AccountState::needs_login);
  EXPECT_EQ(marked->state_reason, "client deleted or secret wrong");
  login();
  EXPECT_EQ(accounts_->find(kEmail)->state, AccountState::ok);
  EXPECT_EQ(value(token()), "ya29.fake-1");
  EXPECT_EQ(http_.token_requests.size(), 2u);
  EXPECT_FALSE(tokens_->account_state(kEmail).last_error);
}

TEST_F(TokenServiceAccountsTest, ANewLoginDropsCachedTokens) {
  login();
  ASSERT_EQ(value(token()), "ya29.fake-1");
  login();
  EXPECT_EQ(value(token()), "ya29.fake-2");
}

TEST_F(TokenServiceAccountsTest, LogoutDropsCachedTokens) {
  login();
  ASSERT_TRUE(token());
  auto out = run(accounts_->logout(std::string(kEmail)));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE(tokens_->account_state(kEmail).token_expires_at);
  auto gone = token();
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::needs_login) << "no account is left";
  login();
  EXPECT_EQ(value(token()), "ya29.fake-2") << "a token of the old login is never handed out";
}

}  // namespace
}  // namespace bqb
