#pragma once
// What the end-to-end tests share: where their artifacts (screenshots) go, the daemon
// configuration pointing at a GoogleServer, and signing in through the real CLI.

#include <filesystem>
#include <string>
#include <string_view>

#include "tests/e2e/google_server.h"
#include "tests/support/process.h"

namespace bqb::e2e {

/// The directory for files a run keeps (screenshots): $BQB_TEST_OUTPUT when set, else the
/// build's tests/e2e/output (CI keeps the build directory's files). Created when missing.
std::filesystem::path output_dir();

/// @returns `<output_dir>/<suite>.<test>-<what>.png` for the running gtest test.
std::filesystem::path artifact_path(std::string_view what, std::string_view ext);

/// @returns config.toml text for a daemon that keeps accounts in memory and revokes at `google`.
std::string daemon_config(const GoogleServer& google);

/// Signs `google`'s default account in with `bqbroker login` (the daemon of `env`'s
/// BQBROKER_SOCKET) and curl as $BROWSER: the real CLI path, where the "browser" follows the
/// server's redirect (Consent::allow consents by itself) to the daemon's loopback listener, without
/// a browser launch. Fails the test (gtest assertions) unless the CLI says "Signed in as
/// <account>"; call it inside ASSERT_NO_FATAL_FAILURE.
void sign_in_with_curl(const GoogleServer& google, const itest::Environment& env);

/// The source tree's tests/ directory (the scripts the tests run live there).
std::filesystem::path tests_source_dir();

/// @returns SHA-256 of `text` as 64 lower-case hex digits (a token's fingerprint: the client
/// programs print that, never the token).
std::string sha256_hex(std::string_view text);

}  // namespace bqb::e2e
