#include "client/lib/api_calls.h"

#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/scripted_daemon.h"

namespace bqb::client {
namespace {

using bqb::testing::http_response;
using bqb::testing::ScriptedDaemon;
using bqb::testing::Seen;
using nlohmann::json;
using ::testing::ElementsAre;

std::string ok(const json& body) { return http_response(200, "OK", body.dump()); }

api::AccountInfo ann() {
  api::AccountInfo a;
  a.email = "ann@example.com";
  a.client_id = "cid";
  a.project_id = "proj";
  a.scopes = {"https://www.googleapis.com/auth/bigquery"};
  a.is_default = true;
  a.state = "ok";
  a.added_at = "2026-12-06T00:00:00Z";
  return a;
}

api::LoginStatus done() {
  return api::LoginStatus{"login 1", api::LoginState::done, "ann@example.com", std::nullopt};
}

/// Answers each operation as the daemon would, from the request line alone.
std::string answer(const Seen& s) {
  if (s.line == "GET /v1/status") {
    return ok(api::to_json(api::StatusResponse{"1.2.3", 42, 7, "/run/s", "memory", {}}));
  }
  if (s.line == "GET /v1/accounts") {
    return ok(api::to_json(api::AccountsResponse{{ann()}, "ann@example.com"}));
  }
  if (s.line.starts_with("PUT /v1/accounts/default") ||
      s.line.starts_with("POST /v1/accounts/import")) {
    return ok(api::to_json(ann()));
  }
  if (s.line.starts_with("DELETE /v1/accounts/")) {
    return ok(api::to_json(api::LogoutResponse{"ann@example.com", true, std::nullopt}));
  }
  if (s.line == "POST /v1/login") {
    return ok(
        api::to_json(api::LoginStarted{"login 1", "https://auth", "http://127.0.0.1:1/", 300}));
  }
  if (s.line.starts_with("GET /v1/login/") || s.line.starts_with("POST /v1/login/") ||
      s.line.starts_with("DELETE /v1/login/")) {
    return ok(api::to_json(done()));
  }
  if (s.line == "POST /v1/metadata-sessions") {
    return ok(api::to_json(api::MetadataSession{"s/1", "127.0.0.1:5", "ann@example.com", {}, {}}));
  }
  if (s.line.starts_with("DELETE /v1/metadata-sessions/")) return ok(json::object());
  return http_response(404, "Not Found", R"({"error":{"code":"not_found","message":"no route"}})");
}

class ApiCalls : public ::testing::Test {
 protected:
  ScriptedDaemon daemon_{answer};
  DaemonClient client_ = DaemonClient::connect(daemon_.socket()).value();
};

TEST_F(ApiCalls, EachCallSendsItsOperationAndParsesTheAnswer) {
  EXPECT_EQ(get_status(client_).value().version, "1.2.3");
  EXPECT_EQ(list_accounts(client_).value().default_email, "ann@example.com");
  EXPECT_EQ(set_default_account(client_, "ann@example.com").value().email, "ann@example.com");
  EXPECT_EQ(import_account(client_, api::ImportAdcRequest{json::object(), {}}).value().email,
            "ann@example.com");
  EXPECT_TRUE(remove_account(client_, "ann@example.com").value().revoked);
  EXPECT_EQ(start_login(client_, api::LoginStartRequest{}).value().login_id, "login 1");
  EXPECT_EQ(login_state(client_, "login 1", std::chrono::seconds(1)).value(), done());
  EXPECT_EQ(send_login_redirect(client_, "login 1", "http://127.0.0.1:1/?code=c").value(), done());
  EXPECT_TRUE(cancel_login(client_, "login 1").has_value());
  EXPECT_EQ(open_metadata_session(client_, api::MetadataSessionRequest{}).value().session_id,
            "s/1");
  EXPECT_TRUE(close_metadata_session(client_, "s/1").has_value());

  EXPECT_THAT(daemon_.lines(),
              ElementsAre("GET /v1/status", "GET /v1/accounts", "PUT /v1/accounts/default",
                          "POST /v1/accounts/import", "DELETE /v1/accounts/ann@example.com",
                          "POST /v1/login", "GET /v1/login/login%201?wait=1",
                          "POST /v1/login/login%201/redirect", "DELETE /v1/login/login%201",
                          "POST /v1/metadata-sessions", "DELETE /v1/metadata-sessions/s%2F1"));
  EXPECT_EQ(daemon_.first("PUT /v1/accounts/default").body, json({{"email", "ann@example.com"}}));
  EXPECT_EQ(daemon_.first("POST /v1/login/").body, json({{"url", "http://127.0.0.1:1/?code=c"}}));
}

TEST_F(ApiCalls, AnEmailIsOnePathSegment) {
  (void)remove_account(client_, "a/b?c%d@x");
  EXPECT_THAT(daemon_.lines(), ElementsAre("DELETE /v1/accounts/a%2Fb%3Fc%25d@x"));
}

TEST_F(ApiCalls, TheDaemonsErrorIsTheCallsError) {
  ScriptedDaemon refusing([](const Seen&) {
    return http_response(404, "Not Found",
                         R"({"error":{"code":"not_found","message":"no such login"}})");
  });
  auto client = DaemonClient::connect(refusing.socket()).value();
  auto state = login_state(client, "gone", std::chrono::seconds(0));
  ASSERT_FALSE(state.has_value());
  EXPECT_EQ(state.error().code, Errc::not_found);
  EXPECT_EQ(state.error().message, "no such login");
  EXPECT_FALSE(cancel_login(client, "gone").has_value());
}

TEST_F(ApiCalls, AnAnswerThatDoesNotParseIsAnError) {
  ScriptedDaemon odd([](const Seen&) { return ok(json({{"unexpected", true}})); });
  auto client = DaemonClient::connect(odd.socket()).value();
  auto accounts = list_accounts(client);
  ASSERT_FALSE(accounts.has_value());
  EXPECT_EQ(accounts.error().code, Errc::invalid_json);
}

}  // namespace
}  // namespace bqb::client
