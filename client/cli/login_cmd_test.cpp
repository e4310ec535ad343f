// `bqbroker login` against a scripted daemon: start, wait (loopback or pasted address), done or
// failed, Ctrl-C; and --import-adc.

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/fake_daemon.h"
#include "tests/support/run_command.h"
#include "tests/support/scripted_daemon.h"

namespace bqb::cli {
namespace {

using bqb::testing::FakeConn;
using bqb::testing::FakeDaemon;
using bqb::testing::http_response;
using bqb::testing::ok;
using bqb::testing::run_command;
using bqb::testing::ScriptedDaemon;
using bqb::testing::Seen;
using bqb::testing::TempDir;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kAuthUrl = "https://accounts.example/auth?client_id=cid&state=st";

json started() {
  return {{"login_id", "L1"},
          {"auth_url", kAuthUrl},
          {"redirect_uri", "http://127.0.0.1:40123/"},
          {"expires_in", 300}};
}
json pending() { return {{"login_id", "L1"}, {"state", "pending"}}; }
json done() { return {{"login_id", "L1"}, {"state", "done"}, {"account", "ann@example.com"}}; }
json failed(std::string_view code, std::string_view message) {
  return {
      {"login_id", "L1"}, {"state", "failed"}, {"error", {{"code", code}, {"message", message}}}};
}

/// A pipe whose read end stands in for stdin: what `input` holds, then EOF.
class Input {
 public:
  explicit Input(std::string_view input) {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    if (::write(fds_[1], input.data(), input.size()) != static_cast<ssize_t>(input.size())) {
      throw std::runtime_error("write");
    }
    ::close(fds_[1]);
  }
  ~Input() { ::close(fds_[0]); }
  int fd() const { return fds_[0]; }

 private:
  int fds_[2];
};

std::string write_file(const TempDir& dir, std::string name, std::string_view content) {
  auto path = dir.path() / name;
  std::ofstream(path) << content;
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path.string();
}

const json kSecrets = {{"installed",
                        {{"client_id", "cid"},
                         {"client_secret", "cs"},
                         {"auth_uri", "http://127.0.0.1:1/auth"},
                         {"token_uri", "http://127.0.0.1:1/token"}}}};

TEST(LoginCommand, SendsTheClientSecretsAndWaitsUntilDone) {
  int polls = 0;
  ScriptedDaemon daemon([&](const Seen& s) {
    if (s.line == "POST /v1/login") return ok(started(), 201);
    if (s.line.starts_with("GET /v1/login/L1?wait=")) return ok(++polls < 3 ? pending() : done());
    return http_response(500, "Unexpected", "{}");
  });
  TempDir dir;
  auto secrets = write_file(dir, "client_secrets.json", kSecrets.dump());
  Input no_input("");

  auto r = run_command(&setup_login,
                       {"--client-secrets", secrets, "--scope", "cloud-platform", "--login-hint",
                        "ann@example.com", "--no-browser"},
                       daemon.socket(), no_input.fd());

  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Signed in as ann@example.com\n");
  EXPECT_THAT(r.err, HasSubstr(kAuthUrl));
  EXPECT_THAT(r.err, HasSubstr("ssh -L 40123:127.0.0.1:40123 HOST"));
  json start = daemon.first("POST /v1/login").body;
  EXPECT_EQ(start["client_secrets"], kSecrets);
  EXPECT_EQ(start["scopes"], json::array({"cloud-platform"}));
  EXPECT_EQ(start["login_hint"], "ann@example.com");
  EXPECT_EQ(polls, 3);
}

TEST(LoginCommand, APastedAddressCompletesTheFlowAndIsNeverPrinted) {
  const std::string pasted = "http://127.0.0.1:40123/?state=st&code=4/SECRET-CODE&scope=email";
  ScriptedDaemon daemon([&](const Seen& s) {
    if (s.line == "POST /v1/login") return ok(started(), 201);
    if (s.line == "POST /v1/login/L1/redirect") {
      return s.body == json{{"url", pasted}} ? ok(done())
                                             : http_response(400, "Bad", R"({"error":{}})");
    }
    return ok(pending());
  });
  Input input("\n  " + pasted + "  \n");

  auto r = run_command(&setup_login, {"--no-browser"}, daemon.socket(), input.fd());

  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Signed in as ann@example.com\n");
  EXPECT_THAT(daemon.lines(), ElementsAre("POST /v1/login", "POST /v1/login/L1/redirect"));
  EXPECT_EQ(daemon.first("POST /v1/login").body.count("client_secrets"), 0u);
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("SECRET-CODE")));
}

TEST(LoginCommand, ARefusedPasteIsReportedAndWaitingGoesOn) {
  ScriptedDaemon daemon([&](const Seen& s) {
    if (s.line == "POST /v1/login") return ok(started(), 201);
    if (s.line == "POST /v1/login/L1/redirect") {
      return http_response(
          400, "Bad Request",
          R"({"error":{"code":"bad_request","message":"the pasted address has no 'code'"}})");
    }
    return ok(done());
  });
  Input input("http://127.0.0.1:40123/?state=st\n");

  auto r = run_command(&setup_login, {"--no-browser"}, daemon.socket(), input.fd());

  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the pasted address has no 'code'"));
  EXPECT_THAT(r.err, HasSubstr("Paste the whole address again"));
}

TEST(LoginCommand, DeniedConsentExitsWith5) {
  ScriptedDaemon daemon([&](const Seen& s) {
    if (s.line == "POST /v1/login") return ok(started(), 201);
    return ok(failed("login_denied", "consent was denied in the browser (access_denied)"));
  });
  Input no_input("");

  auto r = run_command(&setup_login, {"--no-browser"}, daemon.socket(), no_input.fd());

  EXPECT_EQ(r.code, 5);
  EXPECT_THAT(r.err, HasSubstr("bqbroker: consent was denied in the browser (access_denied)"));
  EXPECT_EQ(r.out, "");
}

TEST(LoginCommand, OtherFailuresExitWith1) {
  ScriptedDaemon daemon([&](const Seen& s) {
    if (s.line == "POST /v1/login") return ok(started(), 201);
    return ok(failed("upstream_error", "the token endpoint answered invalid_grant"));
  });
  Input no_input("");

  auto r = run_command(&setup_login, {"--no-browser"}, daemon.socket(), no_input.fd());

  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid_grant"));
}

TEST(LoginCommand, InterruptCancelsTheFlowAndExitsWith130) {
  ScriptedDaemon daemon([&](const Seen& s) {
    if (s.line == "POST /v1/login") return ok(started(), 201);
    if (s.line == "DELETE /v1/login/L1") return ok(failed("login_failed", "cancelled"));
    // Ctrl-C arrives while the first poll is being answered.
    // (raise: the handler has run by the time the answer is written.)
    std::raise(SIGINT);
    return ok(pending());
  });
  Input no_input("");

  auto r = run_command(&setup_login, {"--no-browser"}, daemon.socket(), no_input.fd());

  EXPECT_EQ(r.code, 130);
  EXPECT_THAT(daemon.lines(),
              ElementsAre("POST /v1/login", "GET /v1/login/L1?wait=0", "DELETE /v1/login/L1"));
  EXPECT_THAT(r.err, HasSubstr("Login cancelled."));
}

TEST(LoginCommand, AClientSecretsFileThatIsNotJsonIsRefusedBeforeAnyRequest) {
  ScriptedDaemon daemon([&](const Seen&) { return ok(started(), 201); });
  TempDir dir;
  auto bad = write_file(dir, "secrets.txt", "client_id=abc\n");
  Input no_input("");

  auto r = run_command(&setup_login, {"--client-secrets", bad}, daemon.socket(), no_input.fd());

  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(bad + " is not valid JSON"));
  EXPECT_TRUE(daemon.lines().empty());
}

TEST(LoginCommand, AMissingClientSecretsFileIsNamed) {
  ScriptedDaemon daemon([&](const Seen&) { return ok(started(), 201); });
  Input no_input("");

  auto r = run_command(&setup_login, {"--client-secrets", "/nonexistent/cs.json"}, daemon.socket(),
                       no_input.fd());

  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot open /nonexistent/cs.json: No such file or directory"));
}

TEST(LoginCommand, AClientSecretsFileOthersMayWriteIsRefusedBeforeAskingTheDaemon) {
  ScriptedDaemon daemon([&](const Seen&) { return ok(started(), 201); });
  Input no_input("");
  TempDir dir;
  auto secrets = write_file(dir, "client_secrets.json", kSecrets.dump());
  std::filesystem::permissions(secrets, std::filesystem::perms::others_write,
                               std::filesystem::perm_options::add);

  auto r = run_command(&setup_login, {"--client-secrets", secrets}, daemon.socket(), no_input.fd());

  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr(secrets + " is refused: its mode 0602 lets other users write"));
  EXPECT_THAT(r.err, HasSubstr("chmod go-w " + secrets));
  EXPECT_THAT(daemon.lines(), IsEmpty());
}

TEST(LoginCommand, ImportAdcSendsTheFileAndSaysItIsStillThere) {
  const json adc = {{"type", "authorized_user"},
                    {"client_id", "cid"},
                    {"client_secret", "cs"},
                    {"refresh_token", "1//RT"}};
  ScriptedDaemon daemon([&](const Seen& s) {
    if (s.line != "POST /v1/accounts/import") return http_response(500, "Unexpected", "{}");
    return ok({{"email", "ann@example.com"},
               {"client_id", "cid"},
               {"scopes", json::array()},
               {"default", true},
               {"state", "ok"},
               {"added_at", "2026-01-01T00:00:00Z"}},
              201);
  });
  TempDir dir;
  auto file = write_file(dir, "adc.json", adc.dump());
  Input no_input("");

  auto r = run_command(&setup_login, {"--import-adc", file}, daemon.socket(), no_input.fd());

  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Imported ann@example.com\n");
  EXPECT_EQ(daemon.first("POST").body["authorized_user"], adc);
  EXPECT_THAT(r.err, HasSubstr(file + " still holds the refresh token in plain text"));
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("1//RT")));
}

}  // namespace
}  // namespace bqb::cli
