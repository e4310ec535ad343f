#include "daemon/login/login_flow.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/base/redact.h"
#include "daemon/base/spawn_logged.h"
#include "daemon/login/login_exchange.h"
#include "daemon/login/login_page.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Longer than an exchange can take (the token request's own bound plus the store's): a redirect
// is answered with the outcome, not with "still working".
constexpr std::chrono::seconds kOutcomeWait{90};
constexpr std::chrono::seconds kExchangeTimeout{30};

Error state_mismatch(std::string_view source) {
  return Error{Errc::bad_request,
               fmt::format("the state in {} does not match this login's", source),
               "use the address of the newest login's browser tab, or start the login again"};
}

}  // namespace

std::shared_ptr<LoginFlow> LoginFlow::create(asio::any_io_executor executor, LoginFlowSetup setup,
                                             HttpClient& http, LoginSink sink,
                                             std::shared_ptr<LoopbackListener> listener) {
  return std::shared_ptr<LoginFlow>(new LoginFlow(std::move(executor), std::move(setup), http,
                                                  std::move(sink), std::move(listener)));
}

LoginFlow::LoginFlow(asio::any_io_executor executor, LoginFlowSetup setup, HttpClient& http,
                     LoginSink sink, std::shared_ptr<LoopbackListener> listener)
    : executor_(executor),
      setup_(std::move(setup)),
      http_(http),
      sink_(std::move(sink)),
      listener_(std::move(listener)),
      timeout_(executor) {
  Redactor::global().remember(setup_.state.reveal());
  Redactor::global().remember(setup_.code_verifier.reveal());
  Redactor::global().remember(setup_.client.client_secret.reveal());
}

LoginFlow::~LoginFlow() {
  if (listener_) listener_->close();
}

void LoginFlow::start() {
  std::weak_ptr<LoginFlow> weak = weak_from_this();
  if (listener_) {
    listener_->start([weak](std::string target) -> asio::awaitable<LoopbackReply> {
      auto self = weak.lock();
      if (!self) {
        co_return LoopbackReply{
            410, oauth::login_failure_page("This login is over.", "run `bqbroker login` again")};
      }
      co_return co_await self->on_loopback_request(std::move(target));
    });
  }
  timeout_.expires_after(setup_.timeout);
  timeout_.async_wait([weak](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->phase_ != Phase::pending) return;
    self->finish_failed(
        Error{Errc::login_timeout,
              fmt::format("the login was not completed within {} s", self->setup_.timeout.count()),
              "run `bqbroker login` again and finish the consent in the browser sooner"});
  });
}

api::LoginStatus LoginFlow::status() const {
  api::LoginStatus s;
  s.login_id = setup_.id;
  s.state = phase_ == Phase::done     ? api::LoginState::done
            : phase_ == Phase::failed ? api::LoginState::failed
                                      : api::LoginState::pending;
  s.account = account_;
  s.error = error_;
  return s;
}

asio::awaitable<api::LoginStatus> LoginFlow::wait(std::chrono::milliseconds max_wait) {
  auto self = shared_from_this();
  co_await wait_finished(max_wait);
  co_return status();
}

asio::awaitable<Result<api::LoginStatus>> LoginFlow::complete_from_pasted(std::string url) {
  auto self = shared_from_this();
  auto redirect = oauth::parse_pasted_redirect(url, setup_.redirect_uri);
  if (!redirect) co_return tl::unexpected(std::move(redirect).error());
  if (!oauth::state_matches(setup_.state, redirect->state)) {
    co_return tl::unexpected(state_mismatch("the pasted URL"));
  }
  accept(*redirect);
  co_await wait_finished(kOutcomeWait);
  co_return status();
}

asio::awaitable<LoopbackReply> LoginFlow::on_loopback_request(std::string target) {
  auto self = shared_from_this();
  // One redirect completes a login; after it, nothing here answers anything about the login (a
  // request racing the first one, a reload, a replay).
  if (phase_ != Phase::pending) {
    co_return LoopbackReply{
        410, oauth::login_failure_page("This login has already received its answer.",
                                       "See the terminal where you ran bqbroker login.")};
  }
  auto redirect = oauth::parse_redirect_target(target, setup_.redirect_uri);
  if (!redirect) {
    const Error& e = redirect.error();
    if (e.code == Errc::not_found)
      co_return LoopbackReply{404, oauth::login_failure_page("Not found.")};
    co_return LoopbackReply{400, oauth::login_failure_page(e.message, e.hint)};
  }
  if (!oauth::state_matches(setup_.state, redirect->state)) {
    Error e = state_mismatch("this address");
    co_return LoopbackReply{400, oauth::login_failure_page(e.message, e.hint)};
  }
  accept(*redirect);
  co_await wait_finished(kOutcomeWait);
  co_return page_for_outcome();
}

Result<api::LoginStatus> LoginFlow::cancel() {
  if (phase_ == Phase::exchanging) {
    return fail(Errc::conflict, "the login is being completed and can no longer be cancelled",
                "wait for it: GET /v1/login/" + setup_.id + "?wait=30");
  }
  if (phase_ == Phase::pending) {
    finish_failed(Error{Errc::login_failed, "the login was cancelled", ""});
  }
  return status();
}

void LoginFlow::abort(Error reason) {
  if (phase_ == Phase::pending) finish_failed(std::move(reason));
}

void LoginFlow::accept(const oauth::Redirect& redirect) {
  if (phase_ != Phase::pending) return;
  auto code = oauth::authorization_code_from(redirect, setup_.state);
  if (!code) {
    finish_failed(std::move(code).error());
    return;
  }
  Redactor::global().remember(code->reveal());
  phase_ = Phase::exchanging;
  // One good redirect is all the listener is for; the connection that brought it stays open
  // until its page is written.
  if (listener_) listener_->close();
  spdlog::debug("login {}: exchanging the authorization code at {}", setup_.id,
                setup_.client.token_uri);
  spawn_logged(executor_, exchange(std::move(*code)),
               fmt::format("login {}: the code exchange", setup_.id), [self = shared_from_this()] {
                 self->finish_failed(Error{Errc::internal, "the code exchange failed",
                                           "this is a bug; the daemon's log has the details"});
               });
}

asio::awaitable<void> LoginFlow::exchange(Secret code) {
  auto self = shared_from_this();
  // A named argument, not a braced temporary: g++ 12 destroys a braced prvalue argument of a
  // coroutine twice.
  CodeExchange request{setup_.client,        std::move(code), setup_.redirect_uri,
                       setup_.code_verifier, setup_.scopes,   kExchangeTimeout};
  auto login = co_await exchange_code(http_, std::move(request));
  if (!login) {
    finish_failed(std::move(login).error());
    co_return;
  }
  auto stored = co_await sink_(std::move(*login));
  if (!stored) {
    finish_failed(std::move(stored).error());
    co_return;
  }
  finish_done(stored->email);
}

void LoginFlow::finish_done(std::string email) {
  if (finished()) return;
  spdlog::info("login {}: signed in as {}", setup_.id, email);
  phase_ = Phase::done;
  account_ = std::move(email);
  finish();
}

void LoginFlow::finish_failed(Error error) {
  if (finished()) return;
  spdlog::warn("login {} failed: {} ({})", setup_.id, error.message, to_string(error.code));
  phase_ = Phase::failed;
  error_ = std::move(error);
  finish();
}

void LoginFlow::finish() {
  finished_at_ = std::chrono::steady_clock::now();
  timeout_.cancel();
  if (listener_) listener_->close();
  for (auto* waiter : waiters_) waiter->cancel();
}

asio::awaitable<void> LoginFlow::wait_finished(std::chrono::milliseconds max_wait) {
  if (finished() || max_wait <= std::chrono::milliseconds::zero()) co_return;
  asio::steady_timer timer(executor_);
  timer.expires_after(max_wait);
  // Erased on every way out, including the frame being destroyed at shutdown.
  struct Registration {
    std::list<asio::steady_timer*>& list;
    std::list<asio::steady_timer*>::iterator it;
    ~Registration() { list.erase(it); }
  } registration{waiters_, waiters_.insert(waiters_.end(), &timer)};
  co_await timer.async_wait(kTuple);
}

LoopbackReply LoginFlow::page_for_outcome() const {
  if (phase_ == Phase::done) return {200, oauth::login_success_page(account_.value_or(""))};
  if (phase_ == Phase::failed && error_) {
    return {http_status(error_->code), oauth::login_failure_page(error_->message, error_->hint)};
  }
  return {202, oauth::login_failure_page("The login is still being completed.",
                                         "watch the terminal where you ran bqbroker login")};
}

}  // namespace bqb
