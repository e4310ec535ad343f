#include "daemon/io/token_service.h"

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "daemon/core/memory_store.h"
#include "daemon/io/account_registry.h"
#include "daemon/io/account_service.h"
#include "daemon/io/blocking.h"
#include "daemon/io/http_client.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::awaitable;
using namespace std::chrono_literals;
using std::chrono::system_clock;

constexpr std::string_view kTokenUri = "http://127.0.0.1:9/token";
constexpr std::string_view kRevokeUri = "http://127.0.0.1:9/revoke";
constexpr std::string_view kEmail = "a@example.com";
const std::string kGranted =
    "https://www.googleapis.com/auth/bigquery https://www.googleapis.com/auth/bigquery.readonly "
    "https://www.googleapis.com/auth/userinfo.email openid";

/// @returns the `name` field of a form body, decoded ('+' is a space, %XX a byte).
std::optional<std::string> form_field(const std::string& body, std::string_view name) {
  const std::string key = std::string(name) + "=";
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t end = body.find('&', at);
    if (end == std::string::npos) end = body.size();
    if (body.compare(at, key.size(), key) == 0) {
      std::string out;
      for (std::size_t i = at + key.size(); i < end; ++i) {
        if (body[i] == '+') {
          out += ' ';
        } else if (body[i] == '%' && i + 2 < end + 1) {
          out += static_cast<char>(std::stoi(body.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += body[i];
        }
      }
      return out;
    }
    at = end + 1;
  }
  return std::nullopt;
}

/// A token endpoint behind the HttpClient interface: issues "ya29.fake-N" tokens for the scope
/// asked (or every granted scope), answers queued faults first, and can hold answers (to keep a
/// refresh in flight). Revoke requests are answered 200 and counted apart.
class FakeTokenEndpoint final : public HttpClient {
 public:
  explicit FakeTokenEndpoint(asio::any_io_executor ex) : gate_(ex) {}

  awaitable<Result<HttpResponse>> send(HttpRequest request) override {
    if (request.url == kRevokeUri) {
      ++revokes;
      co_return HttpResponse{200, {}, "{}"};
    }
    token_requests.push_back(request);
    if (held_) {
      boost::system::error_code ec;
      co_await gate_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!faults.empty()) {
      auto f = std::move(faults.front());
      faults.pop_front();
      co_return f;
    }
    const std::string scope = form_field(request.body, "scope").value_or(answer_scope);
    nlohmann::json j = {{"access_token", fmt::format("ya29.fake-{}", ++issued)},
                        {"expires_in", expires_in},
                        {"token_type", "Bearer"},
                        {"scope", scope}};
    co_return HttpResponse{200, {{"Content-Type", "application/json"}}, j.dump()};
  }

  void fault(int status, std::string body, HttpHeaders headers = {}) {
    faults.push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  void hold() {
    held_ = true;
    gate_.expires_at(asio::steady_timer::time_point::max());
  }
  void release() {
    held_ = false;
    gate_.cancel();
  }

  std::vector<HttpRequest> token_requests;
  std::deque<Result<HttpResponse>> faults;
  int revokes = 0;
  int issued = 0;
  int expires_in = 3600;
  std::string answer_scope = kGranted;

 private:
  bool held_ = false;
  asio::steady_timer gate_;
};

class TokenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "bqb-tokens-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    auto reg = AccountRegistry::open(root_ / "state", std::chrono::sys_seconds{});
    ASSERT_TRUE(reg) << reg.error().message;
    registry_ = std::move(*reg);
    AccountServiceOptions account_options;
    account_options.revoke_uri = std::string(kRevokeUri);
    accounts_ = std::make_unique<AccountService>(io_.get_executor(), store_, *registry_, http_,
                                                 pool_, account_options);
    TokenServiceOptions options;
    options.refresh_margin = 300s;
    options.clock = [this] { return now_; };
    options.random = [] { return 0.5; };
    options.backoff.initial = 2ms;
    options.backoff.maximum = 4ms;
    options.backoff.max_attempts = 3;
    options.backoff.max_total = 5s;
    options.background_retry_pause = 30s;
    tokens_ = std::make_unique<TokenService>(io_.get_executor(), *accounts_, http_, options);
  }
  void TearDown() override {
    tokens_.reset();
    accounts_.reset();
    fs::remove_all(root_);
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

  void login(std::string email = std::string(kEmail)) {
    NewLogin l;
    l.email = std::move(email);
    l.client.client_id = "111-svc.apps.googleusercontent.com";
    l.client.client_secret = Secret("GOCSPX-client-secret-one");
    l.client.token_uri = std::string(kTokenUri);
    l.granted_scopes = {"bigquery", "bigquery.readonly", "openid", "email"};
    l.refresh_token = Secret("1//refresh-token-0123456789");
    auto a = run(accounts_->add_login(std::move(l)));
    ASSERT_TRUE(a) << a.error().message;
  }

  Result<IssuedToken> token(std::vector<std::string> scopes = {},
                            std::chrono::seconds min_valid = 0s,
                            std::optional<std::string> account = std::nullopt) {
    TokenRequest r;
    r.account = std::move(account);
    if (!scopes.empty()) r.scopes = oauth::ScopeSet::from_list(scopes, "test").value();
    r.min_valid = min_valid;
    r.caller = TokenCaller{1000, 4242, "/usr/bin/test", "test"};
    return run(tokens_->token(std::move(r)));
  }

  fs::path root_;
  system_clock::time_point now_ = system_clock::from_time_t(1'800'000'000);
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
    auto a = accounts_->find(kEmail);
    return a && a->state == AccountState::needs_login;
  }));
  EXPECT_EQ(accounts_->find(kEmail)->state_reason, "revoked or expired");
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
  EXPECT_EQ(accounts_->find(kEmail)->state, AccountState::ok);
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
  auto out = run(accounts_->logout(std::string(kEmail)));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE(tokens_->account_state(kEmail).token_expires_at);
  auto gone = token({}, 0s, std::string(kEmail));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::not_found);
  login();
  EXPECT_EQ(value(token()), "ya29.fake-3") << "a token of the old login is never handed out";
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
