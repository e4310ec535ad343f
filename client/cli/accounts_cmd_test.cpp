// `bqbroker accounts`, `accounts default` and `logout` against a scripted daemon.

#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client/cli/cli_app.h"
#include "tests/support/scripted_daemon.h"

namespace bqb::cli {
namespace {

using bqb::testing::http_response;
using bqb::testing::ok;
using bqb::testing::ScriptedDaemon;
using bqb::testing::Seen;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(const ScriptedDaemon& daemon, std::vector<std::string> args) {
  args.insert(args.begin(), {"bqbroker", "--socket", daemon.socket()});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

json account(std::string email, bool is_default) {
  return {{"email", email},
          {"client_id", "cid"},
          {"project_id", "proj"},
          {"scopes", {"https://www.googleapis.com/auth/bigquery"}},
          {"default", is_default},
          {"state", "ok"},
          {"added_at", "2026-01-01T00:00:00Z"}};
}

json two_accounts() {
  return {{"accounts", {account("ann@example.com", true), account("bob@example.com", false)}},
          {"default", "ann@example.com"}};
}

TEST(AccountsCommand, ListsAccountsWithTheDefaultMarked) {
  ScriptedDaemon daemon([](const Seen&) { return ok(two_accounts()); });
  auto r = run(daemon, {"accounts"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("*  ann@example.com  ok"));
  EXPECT_THAT(r.out, HasSubstr("\n   bob@example.com  ok"));
  EXPECT_THAT(daemon.lines(), ElementsAre("GET /v1/accounts"));
}

TEST(AccountsCommand, JsonPrintsTheDaemonsAnswer) {
  ScriptedDaemon daemon([](const Seen&) { return ok(two_accounts()); });
  auto r = run(daemon, {"accounts", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), two_accounts());
}

TEST(AccountsCommand, NoAccountsSaysHowToSignIn) {
  ScriptedDaemon daemon([](const Seen&) {
    return ok({{"accounts", json::array()}, {"default", nullptr}});
  });
  auto r = run(daemon, {"accounts"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "No accounts. Sign in with: bqbroker login --client-secrets FILE\n");
}

TEST(AccountsCommand, DefaultPutsTheEmail) {
  ScriptedDaemon daemon([](const Seen&) { return ok(account("bob@example.com", true)); });
  auto r = run(daemon, {"accounts", "default", "bob@example.com"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Default account: bob@example.com\n");
  EXPECT_EQ(daemon.first("PUT /v1/accounts/default").body, json({{"email", "bob@example.com"}}));
}

TEST(AccountsCommand, DefaultOfAnUnknownAccountFails) {
  ScriptedDaemon daemon([](const Seen&) {
    return http_response(404, "Not Found",
                         R"({"error":{"code":"not_found","message":"no account x@example.com"}})");
  });
  auto r = run(daemon, {"accounts", "default", "x@example.com"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("bqbroker: no account x@example.com"));
}

TEST(LogoutCommand, WithoutEmailSignsOutTheDefaultAccount) {
  ScriptedDaemon daemon([](const Seen& s) {
    if (s.line == "GET /v1/accounts") return ok(two_accounts());
    return ok({{"email", "ann@example.com"}, {"revoked", true}});
  });
  auto r = run(daemon, {"logout"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Signed out ann@example.com (token revoked)\n");
  EXPECT_THAT(daemon.lines(),
              ElementsAre("GET /v1/accounts", "DELETE /v1/accounts/ann@example.com"));
}

TEST(LogoutCommand, EncodesTheEmailAndWarnsWhenRevokingFailed) {
  ScriptedDaemon daemon([](const Seen&) {
    return ok({{"email", "a/b@example.com"},
               {"revoked", false},
               {"revoke_error", "oauth2.googleapis.com did not answer"}});
  });
  auto r = run(daemon, {"logout", "a/b@example.com"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Signed out a/b@example.com\n");
  EXPECT_THAT(r.err, HasSubstr("warning: deleted locally; revoking at Google failed: "
                               "oauth2.googleapis.com did not answer"));
  EXPECT_THAT(daemon.lines(), ElementsAre("DELETE /v1/accounts/a%2Fb@example.com"));
}

TEST(LogoutCommand, WithoutEmailOrDefaultAccountSaysSo) {
  ScriptedDaemon daemon([](const Seen&) {
    return ok({{"accounts", json::array()}, {"default", nullptr}});
  });
  auto r = run(daemon, {"logout"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("no account is signed in"));
  EXPECT_THAT(daemon.lines(), ElementsAre("GET /v1/accounts"));
}

}  // namespace
}  // namespace bqb::cli
