#pragma once
// A secret value (refresh token, access token, authorization code, client secret, PKCE verifier).
// It has no operator<< and formats as "[redacted]", so passing one to a log call, an error message
// or a stream cannot leak it by accident. Reading the value takes an explicit `.reveal()`, which
// makes every use greppable.

#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace bqb {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  /// @returns the secret itself. Call only where it goes to the wire or the secret store.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend bool operator==(const Secret&, const Secret&) = default;

 private:
  std::string value_;
};

}  // namespace bqb

template <>
struct fmt::formatter<bqb::Secret> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const bqb::Secret&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format("[redacted]", ctx);
  }
};
