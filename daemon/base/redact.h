#pragma once
// Redaction of secrets from text that leaves the process as logs or error messages.
// Two nets: the shapes Google's secrets have (access tokens "ya29.…", refresh tokens "1//…",
// authorization codes "4/0…", client secrets "GOCSPX-…", anything after "Bearer "), and every
// exact secret value the daemon has been told about. The Secret type keeps secrets out of format
// calls in the first place; this catches what arrives inside foreign text (an upstream error body).

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace bqb {

inline constexpr std::string_view kRedacted = "[redacted]";

/// @returns `text` with every token-shaped run replaced by "[redacted]". Pure.
std::string redact_token_shapes(std::string_view text);

/// Remembers exact secret values and removes them (and token shapes) from text. Thread-safe.
class Redactor {
 public:
  /// Remembers `secret` (values shorter than 8 characters are ignored: too likely to be words).
  void remember(std::string_view secret);
  /// @returns `text` without any remembered secret or token shape.
  std::string apply(std::string_view text) const;

  /// The process-wide instance that the log sink uses.
  static Redactor& global();

 private:
  mutable std::mutex mu_;
  std::vector<std::string> secrets_;
};

}  // namespace bqb
