// One login flow with a scripted token endpoint and a recording sink: completion from the
// loopback listener and from a pasted URL, the requests it sends, state mismatch, denied consent,
// refused codes, cancel, timeout, and long-poll waiters woken by the outcome.

#include "daemon/login/login_flow.h"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/url/parse.hpp>

#include "daemon/base/blocking.h"
#include "daemon/base/redact.h"
#include "daemon/oauth/pkce.h"
#include "tests/support/http_test_server.h"
#include "tests/support/login_test_support.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using api::LoginState;

class LoginFlowTest : public ::testing::Test {
 protected:
  std::shared_ptr<LoginFlow> make_flow(bool with_listener = false,
                                       std::chrono::seconds timeout = 300s) {
    std::shared_ptr<LoopbackListener> listener;
    std::string redirect_uri = "http://127.0.0.1:8765/";
    if (with_listener) {
      auto l = LoopbackListener::bind(io_.get_executor(), 0, pool_);
      EXPECT_TRUE(l) << l.error().message;
      listener = *l;
      redirect_uri = "http://127.0.0.1:" + std::to_string(listener->port()) + "/";
    }
    auto pkce = oauth::make_pkce();
    EXPECT_TRUE(pkce);
    LoginFlowSetup setup{"login-1",
                         test::test_client(),
                         oauth::default_login_scopes(),
                         redirect_uri,
                         Secret("state-0123456789-abcdefghij"),
                         pkce->verifier,
                         timeout};
    verifier_ = pkce->verifier.reveal();
    auto sink = [this](NewLogin login) -> asio::awaitable<Result<Account>> {
      stored_.push_back(login);
      if (sink_error_) co_return tl::unexpected(*sink_error_);
      Account a;
      a.email = login.email;
      a.client_id = login.client.client_id;
      co_return a;
    };
    auto flow = LoginFlow::create(io_.get_executor(), std::move(setup), http_, sink, listener);
    flow->start();
    return flow;
  }

  std::string redirect(const LoginFlow& flow, std::string query) {
    return flow.redirect_uri() + "?" + query;
  }

  asio::io_context io_;
  BlockingPool pool_{1};  // the listener's owner lookups
  test::ScriptedHttp http_;
  std::vector<NewLogin> stored_;
  std::optional<Error> sink_error_;
  std::string verifier_;
};

TEST_F(LoginFlowTest, PastedRedirectExchangesTheCodeAndStoresTheLogin) {
  http_.answer(200, test::token_answer("alice@example.com"));
  auto flow = make_flow();
  auto status = test::run(io_, flow->complete_from_pasted(redirect(
                                   *flow, "state=state-0123456789-abcdefghij&code=4/0code-1")));
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->state, LoginState::done);
  EXPECT_EQ(status->account, "alice@example.com");
  EXPECT_FALSE(status->error);

  // The exchange: a form POST to token_uri with the code, the verifier and the same redirect_uri.
  ASSERT_EQ(http_.requests.size(), 1u);
  const auto& req = http_.requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://127.0.0.1:9/token");
  const std::string target = "/?" + req.body;
  auto form = boost::urls::parse_origin_form(target);
  ASSERT_TRUE(form);
  std::map<std::string, std::string> fields;
  for (auto p : form->params()) fields[p.key] = p.value;
  EXPECT_EQ(fields.size(), 6u) << req.body;
  EXPECT_EQ(fields["grant_type"], "authorization_code");
  EXPECT_EQ(fields["code"], "4/0code-1");
  EXPECT_EQ(fields["code_verifier"], verifier_);
  EXPECT_EQ(fields["redirect_uri"], flow->redirect_uri());
  EXPECT_EQ(fields["client_id"], "123-test.apps.googleusercontent.com");

  // What was handed to the account service.
  ASSERT_EQ(stored_.size(), 1u);
  EXPECT_EQ(stored_[0].email, "alice@example.com");
  ASSERT_TRUE(stored_[0].refresh_token);
  EXPECT_EQ(stored_[0].refresh_token->reveal(), "1//test-refresh-token-value");
  EXPECT_EQ(stored_[0].project_id, "test-project");
  EXPECT_EQ(stored_[0].client.client_secret.reveal(), "GOCSPX-test-client-secret");
  EXPECT_EQ(stored_[0].granted_scopes.size(), 3u);

  // Every secret of the exchange is known to the log redactor.
  const std::string line =
      "code 4/0code-1 verifier " + verifier_ + " state state-0123456789-abcdefghij";
  const std::string redacted = Redactor::global().apply(line);
  EXPECT_EQ(redacted.find("4/0code-1"), std::string::npos) << redacted;
  EXPECT_EQ(redacted.find(verifier_), std::string::npos) << redacted;
  EXPECT_EQ(redacted.find("state-0123456789"), std::string::npos) << redacted;
}

TEST_F(LoginFlowTest, MissingRefreshTokenIsPassedOnForTheAccountServiceToJudge) {
  http_.answer(200, test::token_answer("alice@example.com", /*with_refresh=*/false));
  sink_error_ = Error{Errc::login_failed, "Google sent no refresh_token", "hint"};
  auto flow = make_flow();
  auto status = test::run(io_, flow->complete_from_pasted(redirect(
                                   *flow, "state=state-0123456789-abcdefghij&code=c0de-abcdef")));
  ASSERT_TRUE(status);
  ASSERT_EQ(stored_.size(), 1u);
  EXPECT_FALSE(stored_[0].refresh_token);
  EXPECT_EQ(status->state, LoginState::failed);
  ASSERT_TRUE(status->error);
  EXPECT_EQ(status->error->code, Errc::login_failed);
}

TEST_F(LoginFlowTest, StateMismatchIsRefusedAndTheFlowKeepsWaiting) {
  auto flow = make_flow();
  auto status = test::run(
      io_, flow->complete_from_pasted(redirect(*flow, "state=someone-elses-state&code=c0de")));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, Errc::bad_request);
  EXPECT_NE(status.error().message.find("state"), std::string::npos);
  EXPECT_EQ(flow->status().state, LoginState::pending);
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(LoginFlowTest, PastedUrlOfAnotherRedirectUriIsRefused) {
  auto flow = make_flow();
  auto status = test::run(io_, flow->complete_from_pasted(
                                   "http://127.0.0.1:1/?state=state-0123456789-abcdefghij&code=c"));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, Errc::bad_request);
  EXPECT_EQ(flow->status().state, LoginState::pending);
}

TEST_F(LoginFlowTest, DeniedConsentFailsTheFlowWithLoginDenied) {
  auto flow = make_flow();
  auto status =
      test::run(io_, flow->complete_from_pasted(
                         redirect(*flow, "error=access_denied&state=state-0123456789-abcdefghij")));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, LoginState::failed);
  ASSERT_TRUE(status->error);
  EXPECT_EQ(status->error->code, Errc::login_denied);
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(LoginFlowTest, RefusedCodeFailsTheFlowWithGooglesReason) {
  http_.answer(
      400, R"j({"error":"invalid_grant","error_description":"Bad Request (code already used)"})j");
  auto flow = make_flow();
  auto status = test::run(io_, flow->complete_from_pasted(redirect(
                                   *flow, "state=state-0123456789-abcdefghij&code=c0de-used")));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, LoginState::failed);
  ASSERT_TRUE(status->error);
  EXPECT_EQ(status->error->code, Errc::login_failed);
  EXPECT_NE(status->error->message.find("already used"), std::string::npos)
      << status->error->message;
  EXPECT_TRUE(stored_.empty());
}

TEST_F(LoginFlowTest, UnreachableTokenEndpointFailsTheFlow) {
  http_.answers.push_back(fail(Errc::upstream_unavailable, "127.0.0.1:9 refused the connection"));
  auto flow = make_flow();
  auto status = test::run(io_, flow->complete_from_pasted(redirect(
                                   *flow, "state=state-0123456789-abcdefghij&code=c0de-x")));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, LoginState::failed);
  EXPECT_EQ(status->error->code, Errc::upstream_unavailable);
}

TEST_F(LoginFlowTest, AnswerWithoutIdTokenFails) {
  http_.answer(200, R"({"access_token":"ya29.x","expires_in":3599,"refresh_token":"1//r"})");
  auto flow = make_flow();
  auto status = test::run(io_, flow->complete_from_pasted(redirect(
                                   *flow, "state=state-0123456789-abcdefghij&code=c0de-y")));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, LoginState::failed);
  EXPECT_NE(status->error->message.find("id_token"), std::string::npos);
  EXPECT_TRUE(stored_.empty());
}

TEST_F(LoginFlowTest, CancelFailsAPendingFlowAndWakesItsWaiter) {
  auto flow = make_flow();
  auto task = [&]() -> asio::awaitable<api::LoginStatus> {
    asio::steady_timer soon(io_, 50ms);
    soon.async_wait([&](boost::system::error_code) { EXPECT_TRUE(flow->cancel()); });
    co_return co_await flow->wait(60s);
  };
  const auto started = std::chrono::steady_clock::now();
  auto status = test::run(io_, task());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);  // woken, not timed out
  EXPECT_EQ(status.state, LoginState::failed);
  EXPECT_EQ(status.error->code, Errc::login_failed);
  EXPECT_NE(status.error->message.find("cancelled"), std::string::npos);
  // Cancelling again leaves it as it is.
  auto again = flow->cancel();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->error->message, status.error->message);
}

TEST_F(LoginFlowTest, WaitOnAPendingFlowReturnsPendingWhenTheWaitEnds) {
  auto flow = make_flow();
  auto status = test::run(io_, flow->wait(100ms));
  EXPECT_EQ(status.state, LoginState::pending);
  EXPECT_EQ(status.login_id, "login-1");
}

TEST_F(LoginFlowTest, TimeoutFailsTheFlowWithLoginTimeout) {
  auto flow = make_flow(false, 1s);
  auto status = test::run(io_, flow->wait(10s));
  EXPECT_EQ(status.state, LoginState::failed);
  EXPECT_EQ(status.error->code, Errc::login_timeout);
}

TEST_F(LoginFlowTest, LoopbackRedirectCompletesTheFlowAndShowsTheSuccessPage) {
  http_.answer(200, test::token_answer("bob@example.com"));
  auto flow = make_flow(/*with_listener=*/true);
  const auto port = boost::urls::parse_uri(flow->redirect_uri())->port_number();
  auto task = [&]() -> asio::awaitable<std::vector<test::BrowserAnswer>> {
    std::vector<test::BrowserAnswer> out;
    out.push_back(co_await test::browser_get(port, "/favicon.ico"));
    out.push_back(co_await test::browser_get(port, "/?state=wrong&code=c0de-z"));
    out.push_back(
        co_await test::browser_get(port, "/?state=state-0123456789-abcdefghij&code=c0de-z"));
    co_return out;
  };
  auto answers = test::run(io_, task());
  EXPECT_EQ(answers[0].status, 404);
  EXPECT_EQ(answers[1].status, 400);
  EXPECT_NE(answers[1].body.find("state"), std::string::npos);
  EXPECT_EQ(answers[2].status, 200);
  EXPECT_NE(answers[2].body.find("bob@example.com"), std::string::npos);
  EXPECT_EQ(answers[2].body.find("c0de-z"), std::string::npos);
  EXPECT_EQ(flow->status().state, LoginState::done);
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(LoginFlowTest, TheLoopbackAnswersOneRedirectAndNothingAfterIt) {
  http_.answer(200, test::token_answer("bob@example.com"));
  auto flow = make_flow(/*with_listener=*/true);
  const auto port = boost::urls::parse_uri(flow->redirect_uri())->port_number();
  const std::string redirect = "/?state=state-0123456789-abcdefghij&code=c0de-z";
  ASSERT_EQ(test::run(io_, test::browser_get(port, redirect)).status, 200);
  ASSERT_EQ(flow->status().state, LoginState::done);
  // The listener is closed now; a request that reaches the flow anyway (one accepted before the
  // close) learns nothing and changes nothing.
  auto replay = test::run(io_, flow->on_loopback_request(redirect));
  EXPECT_EQ(replay.status, 410);
  EXPECT_EQ(replay.html.find("bob@example.com"), std::string::npos);
  EXPECT_EQ(flow->status().state, LoginState::done);
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(LoginFlowTest, LoopbackErrorIsShownEscapedAndFailsTheFlow) {
  auto flow = make_flow(/*with_listener=*/true);
  const auto port = boost::urls::parse_uri(flow->redirect_uri())->port_number();
  auto answer =
      test::run(io_, test::browser_get(port,
                                       "/?error=%3Cscript%3E&error_description=%3Cb%3Ex%3C%2Fb%3E"
                                       "&state=state-0123456789-abcdefghij"));
  EXPECT_NE(answer.status, 200);
  EXPECT_EQ(answer.body.find("<script>"), std::string::npos) << answer.body;
  EXPECT_EQ(answer.body.find("<b>x"), std::string::npos) << answer.body;
  EXPECT_EQ(flow->status().state, LoginState::failed);
  EXPECT_EQ(flow->status().error->code, Errc::login_failed);
}

}  // namespace
}  // namespace bqb
