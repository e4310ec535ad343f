#pragma once
// One login in progress: the state machine from "waiting for the browser" to done or failed,
// the waiters that long-poll it, and the loopback listener that receives the redirect.
//
//   pending ──redirect with this flow's state and a code──▶ exchanging ──▶ done | failed
//      │──error=access_denied / another error──▶ failed (login_denied / login_failed)
//      │──timeout──▶ failed (login_timeout)      │──cancel──▶ failed (login_failed, cancelled)
//
// A redirect arrives from the loopback listener (the browser) or pasted by the user
// (POST /v1/login/{id}/redirect). One whose state does not match is refused and the flow keeps
// waiting: it is not this flow's redirect. Only the first code is exchanged; later redirects get
// the outcome of that exchange. Once done or failed the listener is closed and every waiter wakes.
// Runs on one io thread: no locks; coroutines keep the flow alive while they run.

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/accounts/account_service.h"
#include "daemon/login/loopback_listener.h"
#include "daemon/oauth/client_secrets.h"
#include "daemon/oauth/redirect.h"
#include "daemon/oauth/scopes.h"
#include "proto/error.h"
#include "proto/login_api.h"
#include "proto/secret.h"

namespace bqb {

class HttpClient;

/// Stores a finished login; AccountService::add_login in the daemon.
using LoginSink = std::function<boost::asio::awaitable<Result<Account>>(NewLogin)>;

/// What a flow is started with. Everything here is decided before the browser is sent off.
struct LoginFlowSetup {
  std::string id;
  oauth::ClientSecrets client;
  oauth::ScopeSet scopes;
  std::string redirect_uri;  // http://127.0.0.1:PORT/
  Secret state;
  Secret code_verifier;
  std::chrono::seconds timeout{300};
};

class LoginFlow : public std::enable_shared_from_this<LoginFlow> {
 public:
  /// `http` must outlive the flow. `listener` (may be null: a flow completed only by pasting)
  /// is started by start() and closed when the flow ends.
  static std::shared_ptr<LoginFlow> create(boost::asio::any_io_executor executor,
                                           LoginFlowSetup setup, HttpClient& http, LoginSink sink,
                                           std::shared_ptr<LoopbackListener> listener);
  ~LoginFlow();
  LoginFlow(const LoginFlow&) = delete;
  LoginFlow& operator=(const LoginFlow&) = delete;

  /// Starts the listener and the timeout.
  void start();

  const std::string& id() const { return setup_.id; }
  const std::string& redirect_uri() const { return setup_.redirect_uri; }
  /// @returns the public state (an exchange in progress is still pending).
  api::LoginStatus status() const;
  /// @returns whether the flow is done or failed, and since when.
  bool finished() const { return phase_ == Phase::done || phase_ == Phase::failed; }
  std::chrono::steady_clock::time_point finished_at() const { return finished_at_; }

  /// @returns the status once the flow is done or failed, or after `max_wait`, whichever is first.
  boost::asio::awaitable<api::LoginStatus> wait(std::chrono::milliseconds max_wait);

  /// Completes the flow from a redirect URL the user pasted. @returns the status once done or
  /// failed (a refused code or denied consent is a failed status, not an error); bad_request when
  /// the URL is not this flow's redirect or its state does not match (the flow stays pending).
  boost::asio::awaitable<Result<api::LoginStatus>> complete_from_pasted(std::string url);

  /// The loopback listener's handler: @returns the page for the browser's request `target`.
  boost::asio::awaitable<LoopbackReply> on_loopback_request(std::string target);

  /// Cancels a pending flow (failed, login_failed "cancelled"). @returns the status; conflict when
  /// the code is being exchanged right now. A finished flow is left as it is.
  Result<api::LoginStatus> cancel();

  /// Fails a pending flow with `reason` (the daemon stopping). An exchange in flight is left to
  /// finish.
  void abort(Error reason);

 private:
  enum class Phase { pending, exchanging, done, failed };

  LoginFlow(boost::asio::any_io_executor executor, LoginFlowSetup setup, HttpClient& http,
            LoginSink sink, std::shared_ptr<LoopbackListener> listener);

  // Takes a redirect whose state matched: starts the exchange of its code, or fails the flow
  // with the redirect's error. No effect once the flow has left `pending`.
  void accept(const oauth::Redirect& redirect);
  boost::asio::awaitable<void> exchange(Secret code);
  void finish_done(std::string email);
  void finish_failed(Error error);
  void finish();
  boost::asio::awaitable<void> wait_finished(std::chrono::milliseconds max_wait);
  LoopbackReply page_for_outcome() const;

  boost::asio::any_io_executor executor_;
  LoginFlowSetup setup_;
  HttpClient& http_;
  LoginSink sink_;
  std::shared_ptr<LoopbackListener> listener_;
  boost::asio::steady_timer timeout_;
  std::list<boost::asio::steady_timer*> waiters_;  // cancelled when the flow finishes

  Phase phase_ = Phase::pending;
  std::optional<std::string> account_;
  std::optional<Error> error_;
  std::chrono::steady_clock::time_point finished_at_{};
};

}  // namespace bqb
