#pragma once
// Redaction of secrets from text that leaves the process as logs or error messages.
// Two nets: the shapes Google's secrets have (access tokens "ya29.…", refresh tokens "1//…",
// authorization codes "4/0…", client secrets "GOCSPX-…", anything after "Bearer "), and every
// exact secret value the daemon has been told about. The Secret type keeps secrets out of format
// calls in the first place; this catches what arrives inside foreign text (an upstream error body).

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace bqb {

inline constexpr std::string_view kRedacted = "[redacted]";

/// @returns `text` with every token-shaped run replaced by "[redacted]". Pure.
std::string redact_token_shapes(std::string_view text);

/// Remembers exact secret values and removes them (and token shapes) from text. Thread-safe.
///
/// Bounded: it holds the `capacity` secrets remembered (or remembered again) most recently and
/// forgets the oldest beyond that, so a daemon that refreshes tokens for months neither grows nor
/// slows down. Secrets in use are remembered again each time they are used (a refresh remembers
/// its refresh token, a request its bearer token), which keeps them; what ages out is what the
/// daemon no longer holds, such as access tokens long replaced. Token shapes are removed whatever
/// is remembered.
class Redactor {
 public:
  /// Comfortably more than the secrets in use at once: per account a refresh token, a client
  /// secret and a few access tokens (one per scope set), plus the logins in progress.
  static constexpr std::size_t kDefaultCapacity = 1024;

  explicit Redactor(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  /// Remembers `secret`, or makes it the most recent again (values shorter than 8 characters are
  /// ignored: too likely to be words).
  void remember(std::string_view secret);
  /// @returns how many secrets are remembered.
  std::size_t size() const;
  /// @returns `text` without any remembered secret or token shape.
  std::string apply(std::string_view text) const;

  /// The process-wide instance that the log sink uses.
  static Redactor& global();

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::vector<std::string> secrets_;  // oldest first
};

}  // namespace bqb
