#pragma once
// Checks on what the daemon wrote to its log: that a line appeared (waiting for it with a bound),
// and that no secret did. Every test that hands the daemon a secret ends with
// EXPECT_TRUE(log_free_of(daemon.log(), {secret, …})).

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace bqb::itest {

/// Succeeds when `log` contains none of `secrets` and nothing shaped like a Google secret
/// (the shapes bqb::redact_token_shapes knows: "ya29.…", "1//…", "Bearer …", …).
/// The failure message names what leaked without repeating the whole secret.
::testing::AssertionResult log_free_of(std::string_view log,
                                       const std::vector<std::string>& secrets);

/// Waits (inotify on the file, bounded by `timeout`) until `file` holds a line for which every
/// one of `needles` is a substring. The failure message includes the file's text.
::testing::AssertionResult wait_for_line(const std::filesystem::path& file,
                                         const std::vector<std::string>& needles,
                                         std::chrono::milliseconds timeout);

/// @returns the line of `text` holding every one of `needles`, or "" when none does.
std::string find_line(std::string_view text, const std::vector<std::string>& needles);

/// @returns the whole content of `file`, or "" when it cannot be read.
std::string read_file(const std::filesystem::path& file);

}  // namespace bqb::itest
