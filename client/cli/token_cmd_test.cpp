// `bqbroker token` against a scripted daemon: output formats, flags as query parameters, errors.

#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client/cli/cli_app.h"
#include "client/lib/token_query.h"
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
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kToken = "ya29.a0-token-under-test";

json token_body() {
  return {{"access_token", kToken},
          {"token_type", "Bearer"},
          {"expires_in", 3599},
          {"expires_at", "2026-11-25T23:16:27Z"},
          {"scopes", {"https://www.googleapis.com/auth/bigquery"}},
          {"account", "ann@example.com"}};
}

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(const std::string& socket, std::vector<std::string> args) {
  args.insert(args.begin(), {"bqbroker", "--socket", socket});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

TEST(TokenCommand, RawPrintsTheTokenAloneByDefault) {
  ScriptedDaemon daemon([](const Seen&) { return ok(token_body()); });
  auto r = run(daemon.socket(), {"token"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kToken) + "\n");
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(daemon.lines(), ElementsAre("GET /v1/token"));
}

TEST(TokenCommand, HeaderPrintsAnAuthorizationHeader) {
  ScriptedDaemon daemon([](const Seen&) { return ok(token_body()); });
  auto r = run(daemon.socket(), {"token", "--format", "header"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("Authorization: Bearer ") + kToken + "\n");
}

TEST(TokenCommand, JsonPrintsTheAccessTokenObject) {
  ScriptedDaemon daemon([](const Seen&) { return ok(token_body()); });
  auto r = run(daemon.socket(), {"token", "--format", "json"});
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.out.back(), '\n');
  EXPECT_EQ(json::parse(r.out), token_body());
}

TEST(TokenCommand, FlagsBecomeQueryParameters) {
  ScriptedDaemon daemon([](const Seen&) { return ok(token_body()); });
  auto r =
      run(daemon.socket(),
          {"token", "--account", "ann+bq@example.com", "--scope", "bigquery.readonly", "--scope",
           "https://www.googleapis.com/auth/devstorage.read_only", "--min-valid", "600"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(daemon.lines(),
              ElementsAre("GET /v1/token?account=ann%2Bbq%40example.com&scope=bigquery.readonly"
                          "&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdevstorage.read_only"
                          "&min_valid=600"));
}

TEST(TokenCommand, NeedsLoginExitsWithFourAndTheHint) {
  ScriptedDaemon daemon([](const Seen&) {
    return http_response(401, "Unauthorized",
                         R"({"error":{"code":"needs_login","message":"ann@example.com needs to )"
                         R"(sign in again: the refresh token was revoked","hint":"bqbroker login )"
                         R"(--login-hint ann@example.com"}})");
  });
  auto r = run(daemon.socket(), {"token", "--account", "ann@example.com"});
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("bqbroker: ann@example.com needs to sign in again"));
  EXPECT_THAT(r.err, HasSubstr("hint: bqbroker login --login-hint ann@example.com"));
}

TEST(TokenCommand, AMalformedAnswerIsReportedWithoutTheToken) {
  ScriptedDaemon daemon([](const Seen&) {
    json body = token_body();
    body.erase("expires_in");
    return ok(body);
  });
  auto r = run(daemon.socket(), {"token"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("expires_in"));
  EXPECT_THAT(r.err, Not(HasSubstr(kToken)));
}

TEST(TokenCommand, NoDaemonExitsWithThree) {
  std::string socket;
  {
    ScriptedDaemon gone([](const Seen&) { return ok(token_body()); });
    socket = gone.socket();
  }
  auto r = run(socket, {"token"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out, "");
}

TEST(TokenCommand, UnknownFormatIsAUsageError) {
  ScriptedDaemon daemon([](const Seen&) { return ok(token_body()); });
  auto r = run(daemon.socket(), {"token", "--format", "yaml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("--format"));
  EXPECT_THAT(daemon.lines(), IsEmpty());
}

TEST(TokenCommand, MinValidOutOfRangeIsAUsageError) {
  ScriptedDaemon daemon([](const Seen&) { return ok(token_body()); });
  EXPECT_EQ(run(daemon.socket(), {"token", "--min-valid", "-1"}).code, 2);
  EXPECT_EQ(run(daemon.socket(), {"token", "--min-valid", "3001"}).code, 2);
  EXPECT_EQ(run(daemon.socket(), {"token", "--min-valid", "soon"}).code, 2);
  EXPECT_THAT(daemon.lines(), IsEmpty());
}

}  // namespace
}  // namespace bqb::cli
