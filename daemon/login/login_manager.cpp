#include "daemon/login/login_manager.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/base/random.h"
#include "daemon/oauth/auth_request.h"
#include "daemon/oauth/pkce.h"
#include "proto/trusted_file.h"

namespace bqb {
namespace {

constexpr std::size_t kMaxClientSecretsBytes = 64 * 1024;
constexpr std::string_view kNoClientSecretsHint =
    "pass the file Google's console downloaded: bqbroker login --client-secrets FILE "
    "(or set client_secrets in config.toml)";

}  // namespace

Result<oauth::ScopeSet> resolve_login_scopes(
    const std::optional<std::vector<std::string>>& configured,
    const std::vector<std::string>& extra, bool no_default_scopes) {
  if (!configured || no_default_scopes) return oauth::login_scopes(extra, no_default_scopes);
  // login_scopes without defaults gives extra + openid + email; the configured set replaces the
  // built-in defaults.
  BQB_TRY(out, oauth::login_scopes(extra, /*no_default_scopes=*/true));
  BQB_TRY(base, oauth::ScopeSet::from_list(*configured, "[oauth] scopes in config.toml"));
  out.merge(base);
  return out;
}

LoginManager::LoginManager(boost::asio::any_io_executor executor, HttpClient& http,
                           BlockingPool& blocking, LoginSink sink, LoginManagerOptions options)
    : executor_(std::move(executor)),
      http_(http),
      blocking_(blocking),
      sink_(std::move(sink)),
      options_(std::move(options)) {}

LoginManager::~LoginManager() = default;

Result<oauth::ClientSecrets> LoginManager::client_secrets(
    const api::LoginStartRequest& request) const {
  if (request.client_secrets) {
    return oauth::parse_client_secrets(request.client_secrets->dump(),
                                       "client_secrets in the login request");
  }
  if (!options_.client_secrets_file) {
    return fail(Errc::bad_request,
                "the login request has no client_secrets and config.toml sets no client_secrets",
                std::string(kNoClientSecretsHint));
  }
  // The file names the OAuth client the user consents to: proto/trusted_file.h's rule.
  auto text = read_trusted_file(
      *options_.client_secrets_file,
      "client_secrets file " + options_.client_secrets_file->string() + " (from config.toml)",
      kMaxClientSecretsBytes);
  if (!text) {
    Error e = std::move(text).error();
    if (e.code == Errc::not_found) {  // the daemon's setup is wrong, not the request
      e.code = Errc::io_error;
      e.hint = std::string(kNoClientSecretsHint);
    }
    return tl::unexpected(std::move(e));
  }
  return oauth::parse_client_secrets(*text, options_.client_secrets_file->string());
}

Result<api::LoginStarted> LoginManager::start(const api::LoginStartRequest& request) {
  forget_old();
  std::size_t pending = 0;
  for (const auto& [id, flow] : flows_) pending += flow->finished() ? 0 : 1;
  if (pending >= options_.max_pending) {
    return fail(Errc::conflict, fmt::format("{} logins are already waiting for a browser", pending),
                "finish or cancel one of them (DELETE /v1/login/{id}), or wait for it to time out");
  }

  BQB_TRY(client, client_secrets(request));
  BQB_TRY(scopes,
          resolve_login_scopes(options_.default_scopes, request.scopes, request.no_default_scopes));
  BQB_TRY(state, random_token(32));
  BQB_TRY(pkce, oauth::make_pkce());
  BQB_TRY(id, random_token(12));
  BQB_TRY(listener,
          LoopbackListener::bind(executor_, options_.redirect_port, blocking_, options_.listener));
  const std::string redirect_uri = fmt::format("http://127.0.0.1:{}/", listener->port());

  oauth::AuthRequest auth{client.auth_uri, client.client_id, redirect_uri,      scopes,
                          state,           pkce.challenge,   request.login_hint};
  BQB_TRY(auth_url, oauth::build_auth_url(auth));

  LoginFlowSetup setup{id.reveal(),           client, scopes, redirect_uri, state, pkce.verifier,
                       options_.login_timeout};
  auto flow = LoginFlow::create(executor_, std::move(setup), http_, sink_, std::move(listener));
  flow->start();
  flows_.emplace(id.reveal(), flow);
  spdlog::info("login {}: waiting for the browser's redirect to {} (client {}, scopes: {})",
               id.reveal(), redirect_uri, client.client_id, scopes.space_separated());
  return api::LoginStarted{id.reveal(), std::move(auth_url), redirect_uri,
                           static_cast<std::int64_t>(options_.login_timeout.count())};
}

Result<std::shared_ptr<LoginFlow>> LoginManager::find(std::string_view id) {
  forget_old();
  auto it = flows_.find(id);
  if (it == flows_.end()) {
    return fail(Errc::not_found,
                fmt::format("no login {} (unknown, or it ended more than {} minutes ago)", id,
                            options_.keep_finished.count() / 60),
                "start one: bqbroker login");
  }
  return it->second;
}

void LoginManager::shutdown() {
  for (auto& [id, flow] : flows_) {
    flow->abort(Error{Errc::shutting_down, "the daemon is stopping", "run `bqbroker login` again"});
  }
}

void LoginManager::forget_old() {
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(flows_, [&](const auto& entry) {
    const auto& flow = entry.second;
    return flow->finished() && now - flow->finished_at() >= options_.keep_finished;
  });
}

}  // namespace bqb
