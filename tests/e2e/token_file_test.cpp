// The gcloud/curl way through `bqbroker exec`: a program that reads
// CLOUDSDK_AUTH_ACCESS_TOKEN_FILE (what gcloud does with that variable) gets a token the
// emulator's BigQuery accepts, and a long-running program sees the file rewritten with a new
// token while the old one still works — with tokens that live 30 seconds on the emulator.
//
// The child is a shell script; it sends the token to BigQuery from a header file (`curl -H
// @FILE`), never on a command line.

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_env.h"
#include "tests/e2e/google_server.h"
#include "tests/e2e/library_exec.h"
#include "tests/support/harness.h"

namespace bqb::e2e {
namespace {

using itest::ExitStatus;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kAccount = "files@example.com";
constexpr int kLifetimeSeconds = 30;

// $1: the emulator's jobs.query URL. Prints one JSON object. Each call writes the header file
// anew from the token file, as a script reading the file before each request does.
constexpr std::string_view kScript = R"sh(set -eu
umask 077
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
call() {  # $1: a file holding the token → the HTTP status of a one-row query
  printf 'Authorization: Bearer %s\n' "$(cat "$1")" > "$d/header"
  curl -sS --max-time 20 -o "$d/answer" -w '%{http_code}' -H @"$d/header" \
    -H 'Content-Type: application/json' \
    --data '{"query":"SELECT 17 AS n","useLegacySql":false}' "$URL"
}
URL=$1
f=$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE
cp "$f" "$d/first"
first=$(call "$d/first")
row=$(cat "$d/answer" | tr -d ' \n')
# Wait (bounded: 90 s) for bqbroker to rewrite the file.
i=0
while cmp -s "$f" "$d/first"; do
  i=$((i + 1)); [ $i -le 450 ] || { echo '{"error":"the token file was never rewritten"}'; exit 3; }
  sleep 0.2
done
cp "$f" "$d/second"
first_again=$(call "$d/first")
second=$(call "$d/second")
printf '{"first":"%s","first_again":"%s","second":"%s","row":%s,"first_sha256":"%s","second_sha256":"%s","mode":"%s","path":"%s"}\n' \
  "$first" "$first_again" "$second" "$(printf '%s' "$row" | jq -Rs .)" \
  "$(sha256sum < "$d/first" | cut -d' ' -f1)" "$(sha256sum < "$d/second" | cut -d' ' -f1)" \
  "$(stat -c %a "$f")" "$f"
)sh";

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Short-lived tokens from the start: the login's token too.
    ASSERT_TRUE(google_.control("POST", "/settings", json{{"expires_in", kLifetimeSeconds}}));
    daemon_.emplace(sandbox_, itest::DaemonOptions().with_config(daemon_config(google_)));
    ASSERT_TRUE(daemon_->wait_ready());
    env_ = sandbox_.env();
    env_.set("BQBROKER_SOCKET", daemon_->socket_path().string());
  }

  itest::Sandbox sandbox_;
  GoogleServer google_{sandbox_, Consent::allow, {std::string(kAccount)}};
  std::optional<itest::DaemonProcess> daemon_;
  itest::Environment env_;
};

TEST_F(TokenFileTest, AScriptReadsTheFileAndSeesItRewrittenBeforeTheTokenExpires) {
  ASSERT_NO_FATAL_FAILURE(sign_in_with_curl(google_, env_));

  const std::string url =
      fmt::format("{}/bigquery/v2/projects/{}/queries", google_.base_url(), kSampleProject);
  auto r = itest::run_cli({"exec", "--project", std::string(kSampleProject), "--", "/bin/sh", "-c",
                           std::string(kScript), "sh", url},
                          env_, 120s);
  ASSERT_EQ(r.status, ExitStatus::exited_with(0)) << r;
  const json out = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r;

  EXPECT_EQ(out.value("mode", ""), "600");
  const std::string path = out.value("path", "");
  EXPECT_FALSE(path.empty() || std::filesystem::exists(path)) << "left behind: " << path;
  // The first token runs a query; the rewritten file holds another token, and the first one
  // still worked when the second appeared: the file was rewritten ahead of the expiry.
  EXPECT_EQ(out.value("first", ""), "200") << out.dump(2);
  EXPECT_NE(out.value("row", "").find(R"("v":"17")"), std::string::npos) << out.dump(2);
  EXPECT_EQ(out.value("first_again", ""), "200") << out.dump(2);
  EXPECT_EQ(out.value("second", ""), "200") << out.dump(2);
  EXPECT_NE(out.value("first_sha256", "a"), out.value("second_sha256", "a"));

  // Both are tokens the emulator issued (matched by hash, never printed).
  auto tokens = google_.control("GET", "/tokens");
  ASSERT_TRUE(tokens);
  std::vector<std::string> issued;
  for (const auto& t : tokens->value("access_tokens", json::array())) {
    issued.push_back(sha256_hex(t.value("access_token", "")));
  }
  EXPECT_NE(std::find(issued.begin(), issued.end(), out.value("first_sha256", "")), issued.end());
  EXPECT_NE(std::find(issued.begin(), issued.end(), out.value("second_sha256", "")), issued.end());
  // bqbroker said nothing of the tokens, and the file went with the child.
  for (const auto& t : tokens->value("access_tokens", json::array())) {
    EXPECT_EQ(r.err.find(t.value("access_token", "-")), std::string::npos);
  }
}

}  // namespace
}  // namespace bqb::e2e
