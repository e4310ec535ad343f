#include "daemon/tokens/token_service.h"

#include <functional>
#include <map>
#include <optional>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "daemon/accounts/account_directory.h"
#include "daemon/base/gcc_coroutine_frames.h"  // silences a GCC 12 false positive
#include "tests/support/token_test_support.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using std::chrono::system_clock;
using test::FakeTokenEndpoint;
using test::form_field;
using test::kGranted;
using test::kTokenUri;

constexpr std::string_view kEmail = "a@example.com";
constexpr std::string_view kRefreshToken = "1//refresh-token-0123456789";
constexpr std::string_view kClientSecret = "GOCSPX-client-secret-one";

/// The accounts as the token service sees them, in memory: login() and logout() change them and
/// tell the observers as the account service does; mark_needs_login records the state (or fails
/// with `mark_error`).
class FakeAccountDirectory final : public AccountDirectory {
 public:
  std::optional<std::string> default_email() const override {
    if (accounts.empty()) return std::nullopt;
    return accounts.contains(default_account) ? default_account : accounts.begin()->first;
  }
  std::optional<Account> find(std::string_view email) const override {
    auto it = accounts.find(email);
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
  awaitable<Result<AccountCredentials>> credentials(std::string email) override {
    auto account = find(email);
    if (!account) co_return fail(Errc::not_found, "no account " + email);
    AccountCredentials out;
    out.account = *account;
    out.client = oauth::OAuthClient{account->client_id, Secret(std::string(kClientSecret)),
                                    account->token_uri};
    out.refresh_token = Secret(std::string(kRefreshToken));
    co_return out;
  }
  awaitable<Status> mark_needs_login(std::string email, std::string reason) override {
    if (mark_error) co_return tl::unexpected(*mark_error);
    auto it = accounts.find(email);
    if (it == accounts.end()) co_return fail(Errc::not_found, "no account " + email);
    it->second.state = AccountState::needs_login;
    it->second.state_reason = std::move(reason);
    co_return Status{};
  }
  void on_account_removed(std::function<void(const std::string&)> observer) override {
    removed_observers.push_back(std::move(observer));
  }
  void on_account_stored(std::function<void(const Account&)> observer) override {
    stored_observers.push_back(std::move(observer));
  }

  /// A (new) login of `email` with every BigQuery scope: state ok, observers told.
  void login(std::string email) {
    Account a;
    a.email = std::move(email);
    a.client_id = "111-svc.apps.googleusercontent.com";
    a.token_uri = std::string(kTokenUri);
    a.scopes = oauth::ScopeSet::parse_space_separated(kGranted, "test").value().items();
    if (accounts.empty()) default_account = a.email;
    accounts.insert_or_assign(a.email, a);
    for (const auto& observer : stored_observers) observer(a);
  }
  void logout(const std::string& email) {
    accounts.erase(email);
    for (const auto& observer : removed_observers) observer(email);
  }

  std::map<std::string, Account, std::less<>> accounts;
  std::string default_account;
  std::optional<Error> mark_error;

 private:
  std::vector<std::function<void(const std::string&)>> removed_observers;
  std::vector<std::function<void(const Account&)>> stored_observers;
};

class TokenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TokenServiceOptions options;
    options.refresh_margin = 300s;
    options.clock = [this] { return now_; };
    options.random = [] { return 0.5; };
    options.backoff.initial = 2ms;
    options.backoff.maximum = 4ms;
    options.backoff.max_attempts = 3;
    options.backoff.max_total = 5s;
    options.background_retry_pause = 30s;
    tokens_ = std::make_unique<TokenService>(io_.get_executor(), accounts_, http_, options);
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
  /// Runs the io_context until `done` holds (10 s at most). @returns whether it holds.
  bool run_until(const std::function<bool()>& done) {
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_one_for(50ms);
    return done();
  }

  void login(std::string email = std::string(kEmail)) { accounts_.login(std::move(email)); }

  Result<IssuedToken> token(std::vector<std::string> scopes = {},
                            std::chrono::seconds min_valid = 0s,
                            std::optional<std::string> account = std::nullopt) {
    return run(tokens_->token(request(std::move(scopes), min_valid, std::move(account))));
  }
  static TokenRequest request(std::vector<std::string> scopes = {},
                              std::chrono::seconds min_valid = 0s,
                              std::optional<std::string> account = std::nullopt) {
    TokenRequest r;
    r.account = std::move(account);
    if (!scopes.empty()) r.scopes = oauth::ScopeSet::from_list(scopes, "test").value();
    r.min_valid = min_valid;
    r.caller = TokenCaller{1000, 4242, "/usr/bin/test", "test"};
    return r;
  }
  /// Starts a token request without waiting for it; its result lands in `*out`.
  void start_token(std::optional<Result<IssuedToken>>* out) {
    asio::co_spawn(io_, tokens_->token(request()),
                   [out](std::exception_ptr e, Result<IssuedToken> t) {
                     if (e) std::rethrow_exception(e);
                     out->emplace(std::move(t));
                   });
  }

  system_clock::time_point now_ = system_clock::from_time_t(1'800'000'000);
  asio::io_context io_;
  FakeAccountDirectory accounts_;
  FakeTokenEndpoint http_{io_.get_executor()};
  std::unique_ptr<TokenService> tokens_;
};

std::string value(const Result<IssuedToken>& t) {
  return t ? t->access_token.reveal() : "error: " + t.error().message;
}

TEST_F(TokenServiceTest, FirstRequestRefreshesThenTheCacheAnswers) {
  login();
  auto first = token();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->access_token.reveal(), "ya29.fake-1");
  EXPECT_EQ(first->account, kEmail);
  EXPECT_EQ(first->expires_at, now_ + 3600s);
  EXPECT_EQ(first->scopes.space_separated(), kGranted);
  ASSERT_EQ(http_.token_requests.size(), 1u);
  const auto& req = http_.token_requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, kTokenUri);
  EXPECT_EQ(form_field(req.body, "grant_type"), "refresh_token");
  EXPECT_EQ(form_field(req.body, "refresh_token"), "1//refresh-token-0123456789");
  EXPECT_EQ(form_field(req.body, "client_secret"), "GOCSPX-client-secret-one");
  EXPECT_FALSE(form_field(req.body, "scope")) << "the full grant needs no scope=";

  now_ += 3000s;  // 600 s left: outside the margin
  EXPECT_EQ(value(token()), "ya29.fake-1");
  EXPECT_EQ(http_.token_requests.size(), 1u);
  EXPECT_EQ(tokens_->account_state(kEmail).token_expires_at, first->expires_at);
}

TEST_F(TokenServiceTest, ARefusedCachedTokenIsReplacedOnce) {
  login();
  ASSERT_EQ(value(token()), "ya29.fake-1");
  TokenRequest r;
  r.refused_token = Secret("ya29.fake-1");
  auto fresh = run(tokens_->token(r));
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(fresh->access_token.reveal(), "ya29.fake-2");
  EXPECT_EQ(http_.token_requests.size(), 2u);
  // The refused token is no longer cached: naming it again refreshes nothing.
  EXPECT_EQ(value(run(tokens_->token(r))), "ya29.fake-2");
  EXPECT_EQ(http_.token_requests.size(), 2u);
}

TEST_F(TokenServiceTest, NoAccountIsNeedsLoginAndUnknownAccountIsNotFound) {
  auto none = token();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::needs_login);
  EXPECT_NE(none.error().hint.find("bqbroker login"), std::string::npos);
  login();
  auto unknown = token({}, 0s, "nobody@example.com");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::not_found);
  EXPECT_TRUE(http_.token_requests.empty());
}

TEST_F(TokenServiceTest, InsideTheMarginHandsOutAtOnceAndRefreshesInTheBackground) {
  login();
  ASSERT_TRUE(token());
  now_ += 3600s - 200s;  // inside the 300 s margin
  http_.hold();
  // The caller gets the cached token although the refresh it started cannot finish.
  EXPECT_EQ(value(token()), "ya29.fake-1");
  ASSERT_TRUE(run_until([&] { return http_.token_requests.size() == 2; }));
  EXPECT_EQ(value(token()), "ya29.fake-1") << "still cached while the refresh runs";
  EXPECT_EQ(http_.token_requests.size(), 2u) << "one background refresh at a time";
  http_.release();
  ASSERT_TRUE(
      run_until([&] { return tokens_->account_state(kEmail).token_expires_at == now_ + 3600s; }));
  EXPECT_EQ(value(token()), "ya29.fake-2");
  EXPECT_EQ(http_.token_requests.size(), 2u);
}

TEST_F(TokenServiceTest, MinValidLongerThanWhatIsLeftWaitsForAFreshToken) {
  login();
  ASSERT_TRUE(token());
  now_ += 2000s;  // 1600 s left
  EXPECT_EQ(value(token({}, 1500s)), "ya29.fake-1");
  auto fresh = token({}, 1700s);
  EXPECT_EQ(value(fresh), "ya29.fake-2");
  EXPECT_EQ(fresh->expires_at, now_ + 3600s);
  EXPECT_EQ(http_.token_requests.size(), 2u);
}

TEST_F(TokenServiceTest, MinValidThatNoFreshTokenMeetsIsAnError) {
  login();
  http_.expires_in = 600;
  auto t = token({}, 900s);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::upstream_error);
  EXPECT_NE(t.error().message.find("min_valid"), std::string::npos) << t.error().message;
}

TEST_F(TokenServiceTest, NarrowerScopesGetTheirOwnNarrowerToken) {
  login();
  auto full = token();
  auto ro = token({"bigquery.readonly"});
  ASSERT_TRUE(full && ro);
  EXPECT_NE(full->access_token, ro->access_token);
  EXPECT_EQ(ro->scopes.space_separated(), "https://www.googleapis.com/auth/bigquery.readonly");
  ASSERT_EQ(http_.token_requests.size(), 2u);
  EXPECT_EQ(form_field(http_.token_requests[1].body, "scope"),
            "https://www.googleapis.com/auth/bigquery.readonly");
  // Both stay cached, each under its own key.
  EXPECT_EQ(value(token({"bigquery.readonly"})), ro->access_token.reveal());
  EXPECT_EQ(value(token()), full->access_token.reveal());
  // Asking for exactly the granted set is the full token.
  EXPECT_EQ(value(token({"bigquery", "bigquery.readonly", "email", "openid"})),
            full->access_token.reveal());
  EXPECT_EQ(http_.token_requests.size(), 2u);
}

TEST_F(TokenServiceTest, NarrowerRequestAnsweredWithWiderScopesIsRefused) {
  login();
  http_.answer_scope = kGranted;
  http_.faults.push_back(HttpResponse{
      200,
      {},
      nlohmann::json{
          {"access_token", "ya29.too-wide-token"}, {"expires_in", 3600}, {"scope", kGranted}}
          .dump()});
  auto t = token({"bigquery.readonly"});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::upstream_error);
}

TEST_F(TokenServiceTest, ScopesBeyondTheGrantAreRefusedWithTheLoginThatGrantsThem) {
  login();
  auto t = token({"bigquery", "cloud-platform"});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::scope_not_granted);
  EXPECT_NE(t.error().message.find("https://www.googleapis.com/auth/cloud-platform"),
            std::string::npos)
      << t.error().message;
  EXPECT_NE(t.error().hint.find("bqbroker login --scope cloud-platform"), std::string::npos)
      << t.error().hint;
  EXPECT_TRUE(http_.token_requests.empty());
}

TEST_F(TokenServiceTest, AThousandCallersAtExpiryMakeOneRefresh) {
  login();
  ASSERT_TRUE(token());
  now_ += 3601s;
  constexpr int kCallers = 1000;
  std::vector<Result<IssuedToken>> results;
  for (int i = 0; i < kCallers; ++i) {
    TokenRequest r;
    r.caller.via = "test";
    asio::co_spawn(io_, tokens_->token(std::move(r)),
                   [&](std::exception_ptr e, Result<IssuedToken> t) {
                     if (e) std::rethrow_exception(e);
                     results.push_back(std::move(t));
                   });
  }
  ASSERT_TRUE(run_until([&] { return results.size() == kCallers; }));
  EXPECT_EQ(http_.token_requests.size(), 2u) << "the first token, then exactly one refresh";
  for (const auto& t : results) ASSERT_EQ(value(t), "ya29.fake-2");
}

TEST_F(TokenServiceTest, TransientFailuresAreRetried) {
  login();
  http_.fault(503, R"({"error":"temporarily_unavailable"})");
  http_.fault(429, R"({"error":"rate_limit_exceeded"})", {{"Retry-After", "0"}});
  auto t = token();
  EXPECT_EQ(value(t), "ya29.fake-1");
  EXPECT_EQ(http_.token_requests.size(), 3u);
  EXPECT_FALSE(tokens_->account_state(kEmail).last_error);
}

TEST_F(TokenServiceTest, TransientFailuresAreBoundedAndReported) {
  login();
  for (int i = 0; i < 5; ++i) http_.fault(503, R"({"error":"temporarily_unavailable"})");
  auto t = token();
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::upstream_unavailable);
  EXPECT_EQ(http_.token_requests.size(), 3u) << "max_attempts";
  auto state = tokens_->account_state(kEmail);
  ASSERT_TRUE(state.last_error);
  EXPECT_EQ(state.last_error->code, Errc::upstream_unavailable);
}

TEST_F(TokenServiceTest, WhileRefreshesFailTheValidCachedTokenIsStillServed) {
  login();
  ASSERT_TRUE(token());
  now_ += 3600s - 100s;
  for (int i = 0; i < 3; ++i) http_.fault(503, R"({"error":"temporarily_unavailable"})");
  EXPECT_EQ(value(token()), "ya29.fake-1");
  ASSERT_TRUE(run_until([&] { return tokens_->account_state(kEmail).last_error.has_value(); }));
  EXPECT_EQ(http_.token_requests.size(), 4u);  // the first token, then three failed attempts
  // The failed background refresh pauses further ones: hand-outs do not hammer the endpoint.
  EXPECT_EQ(value(token()), "ya29.fake-1");
  EXPECT_EQ(value(token()), "ya29.fake-1");
  io_.restart();
  io_.poll();
  EXPECT_EQ(http_.token_requests.size(), 4u);
  // After the pause, a hand-out starts the next background refresh, which now succeeds.
  now_ += 31s;
  EXPECT_EQ(value(token()), "ya29.fake-1");
  ASSERT_TRUE(run_until([&] { return http_.token_requests.size() == 5; }));
  ASSERT_TRUE(run_until([&] { return !tokens_->account_state(kEmail).last_error; }));
  EXPECT_EQ(value(token()), "ya29.fake-2");
}

TEST_F(TokenServiceTest, InvalidGrantPutsTheAccountIntoNeedsLoginWithoutRetries) {
  login();
  http_.fault(
      400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})");
  constexpr int kCallers = 50;
  std::vector<Result<IssuedToken>> results;
  for (int i = 0; i < kCallers; ++i) {
    asio::co_spawn(io_, tokens_->token(TokenRequest{}),
                   [&](std::exception_ptr, Result<IssuedToken> t) { results.push_back(t); });
  }
  ASSERT_TRUE(run_until([&] { return results.size() == kCallers; }));
  for (const auto& t : results) {
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, Errc::needs_login);
    EXPECT_NE(t.error().hint.find("bqbroker login"), std::string::npos);
  }
  EXPECT_EQ(http_.token_requests.size(), 1u);
  // The account's state says so (bqbroker status shows it) …
  ASSERT_TRUE(run_until([&] {
    auto a = accounts_.find(kEmail);
    return a && a->state == AccountState::needs_login;
  }));
  EXPECT_EQ(accounts_.find(kEmail)->state_reason, "revoked or expired");
  // … and later requests do not reach the token endpoint.
  for (int i = 0; i < 10; ++i) {
    auto t = token();
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, Errc::needs_login);
  }
  EXPECT_EQ(http_.token_requests.size(), 1u);
  ASSERT_TRUE(tokens_->account_state(kEmail).last_error);
  EXPECT_EQ(tokens_->account_state(kEmail).last_error->code, Errc::needs_login);
}

TEST_F(TokenServiceTest, InvalidGrantDropsTheCachedTokens) {
  login();
  ASSERT_TRUE(token());
  now_ += 3600s - 100s;
  http_.fault(400, R"({"error":"invalid_grant"})");
  EXPECT_EQ(value(token()), "ya29.fake-1");  // the background refresh has not run yet
  ASSERT_TRUE(run_until([&] { return tokens_->account_state(kEmail).last_error.has_value(); }));
  auto t = token();
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::needs_login);
  EXPECT_FALSE(tokens_->account_state(kEmail).token_expires_at);
}

TEST_F(TokenServiceTest, ANewLoginClearsNeedsLogin) {
  login();
  http_.fault(401, R"({"error":"invalid_client"})");
  auto refused = token();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::needs_login);
  login();
  EXPECT_EQ(value(token()), "ya29.fake-1");
  EXPECT_EQ(http_.token_requests.size(), 2u);
  EXPECT_FALSE(tokens_->account_state(kEmail).last_error);
}

TEST_F(TokenServiceTest, ANewLoginDropsCachedTokens) {
  login();
  ASSERT_EQ(value(token()), "ya29.fake-1");
  login();
  EXPECT_EQ(value(token()), "ya29.fake-2");
}

TEST_F(TokenServiceTest, LogoutDropsCachedTokens) {
  login();
  ASSERT_TRUE(token());
  ASSERT_TRUE(token({"bigquery.readonly"}));
  accounts_.logout(std::string(kEmail));
  EXPECT_FALSE(tokens_->account_state(kEmail).token_expires_at);
  auto gone = token({}, 0s, std::string(kEmail));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::not_found);
  login();
  EXPECT_EQ(value(token()), "ya29.fake-3") << "a token of the old login is never handed out";
}

TEST_F(TokenServiceTest, ARefusalIsRememberedWhenRecordingItFails) {
  login();
  accounts_.mark_error = Error{Errc::io_error, "accounts.json is read-only", ""};
  http_.fault(400, R"({"error":"invalid_grant"})");
  auto refused = token();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::needs_login);
  ASSERT_EQ(accounts_.find(kEmail)->state, AccountState::ok) << "the mark failed";
  // The token endpoint is not asked again although the account still says ok.
  auto again = token();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::needs_login);
  EXPECT_EQ(http_.token_requests.size(), 1u);
}

TEST_F(TokenServiceTest, ALogoutDuringARefreshFailsItsCallersAndCachesNothing) {
  login();
  http_.hold();
  std::optional<Result<IssuedToken>> waiting;
  start_token(&waiting);
  ASSERT_TRUE(run_until([&] { return http_.token_requests.size() == 1; }));
  accounts_.logout(std::string(kEmail));
  http_.release();
  ASSERT_TRUE(run_until([&] { return waiting.has_value(); }));
  ASSERT_FALSE(*waiting);
  EXPECT_EQ(waiting->error().code, Errc::not_found);
  EXPECT_NE(waiting->error().message.find("logged out while"), std::string::npos)
      << waiting->error().message;
  EXPECT_FALSE(tokens_->account_state(kEmail).token_expires_at);
  EXPECT_FALSE(tokens_->account_state(kEmail).last_error);
}

TEST_F(TokenServiceTest, ANewLoginDuringARefreshKeepsItsTokenOutOfTheCache) {
  login();
  http_.hold();
  std::optional<Result<IssuedToken>> waiting;
  start_token(&waiting);
  ASSERT_TRUE(run_until([&] { return http_.token_requests.size() == 1; }));
  login();
  http_.release();
  ASSERT_TRUE(run_until([&] { return waiting.has_value(); }));
  // The caller that waited gets the answer it waited for …
  EXPECT_EQ(value(*waiting), "ya29.fake-1");
  // … but the new login's callers get a token of the new credentials.
  EXPECT_FALSE(tokens_->account_state(kEmail).token_expires_at);
  EXPECT_EQ(value(token()), "ya29.fake-2");
  EXPECT_EQ(http_.token_requests.size(), 2u);
}

TEST_F(TokenServiceTest, AWallClockJumpPastExpiryRefreshes) {
  login();
  ASSERT_TRUE(token());
  now_ += 10h;  // the laptop slept
  auto t = token();
  EXPECT_EQ(value(t), "ya29.fake-2");
  EXPECT_EQ(t->expires_at, now_ + 3600s);
}

TEST_F(TokenServiceTest, AnExpiredTokenIsNeverServedWhenTheRefreshFails) {
  login();
  ASSERT_TRUE(token());
  now_ += 3601s;
  for (int i = 0; i < 3; ++i) http_.fault(503, "");
  auto t = token();
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::upstream_unavailable);
}

}  // namespace
}  // namespace bqb
