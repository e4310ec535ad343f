#pragma once
// What the end-to-end tests share: where their artifacts (screenshots) go, and the daemon
// configuration pointing at a GoogleServer.

#include <filesystem>
#include <string>
#include <string_view>

#include "tests/e2e/google_server.h"

namespace bqb::e2e {

/// The directory for files a run keeps (screenshots): $BQB_TEST_OUTPUT when set, else the
/// build's tests/e2e/output (CI keeps the build directory's files). Created when missing.
std::filesystem::path output_dir();

/// @returns `<output_dir>/<suite>.<test>-<what>.png` for the running gtest test.
std::filesystem::path artifact_path(std::string_view what, std::string_view ext);

/// @returns config.toml text for a daemon that keeps accounts in memory and revokes at `google`.
std::string daemon_config(const GoogleServer& google);

/// The source tree's tests/ directory (the scripts the tests run live there).
std::filesystem::path tests_source_dir();

/// @returns SHA-256 of `text` as 64 lower-case hex digits (a token's fingerprint: the client
/// programs print that, never the token).
std::string sha256_hex(std::string_view text);

}  // namespace bqb::e2e
