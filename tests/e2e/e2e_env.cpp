#include "tests/e2e/e2e_env.h"

#include <cstdlib>

#include <openssl/evp.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/cli.h"

#ifndef BQB_E2E_OUTPUT_DIR
#error "BQB_E2E_OUTPUT_DIR must be defined by the build"
#endif
#ifndef BQB_TESTS_SOURCE_DIR
#error "BQB_TESTS_SOURCE_DIR must be defined by the build"
#endif

namespace bqb::e2e {

std::filesystem::path output_dir() {
  const char* env = std::getenv("BQB_TEST_OUTPUT");
  std::filesystem::path dir = env && *env ? std::filesystem::path(env) : BQB_E2E_OUTPUT_DIR;
  std::filesystem::create_directories(dir);
  return dir;
}

std::filesystem::path artifact_path(std::string_view what, std::string_view ext) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string test =
      info ? fmt::format("{}.{}", info->test_suite_name(), info->name()) : "e2e";
  return output_dir() / fmt::format("{}-{}{}", test, what, ext);
}

std::string daemon_config(const GoogleServer& google) {
  return fmt::format(
      "store = \"memory\"\nlog_level = \"debug\"\n[oauth]\nrevoke_uri = \"{}/revoke\"\n",
      google.base_url());
}

void sign_in_with_curl(const GoogleServer& google, const itest::Environment& env) {
  using namespace std::chrono_literals;
  auto login_env = env;
  login_env.set("DISPLAY", ":0");
  login_env.set("BROWSER", "curl --silent --show-error --location --output /dev/null");
  auto r = itest::run_cli(
      {"login", "--client-secrets", google.client_secrets_file().string(), "--timeout", "30"},
      login_env, 60s);
  ASSERT_EQ(r.status, itest::ExitStatus::exited_with(0)) << r;
  ASSERT_NE(r.out.find(fmt::format("Signed in as {}", google.accounts().front())),
            std::string::npos)
      << r;
}

std::filesystem::path tests_source_dir() { return BQB_TESTS_SOURCE_DIR; }

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace bqb::e2e
