#pragma once
// Matching of request paths against the socket API's route patterns, e.g. "/v1/login/{id}".
// Pure: the server decodes the path into segments and asks which route it names.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bqb {

/// A route pattern split into segments; "{name}" segments capture one decoded path segment.
class RoutePattern {
 public:
  explicit RoutePattern(std::string_view pattern);

  /// @returns the captured segments in order when `segments` (already percent-decoded) match,
  /// nullopt otherwise. Literal segments compare exactly; a capture never matches an empty segment.
  std::optional<std::vector<std::string>> match(const std::vector<std::string>& segments) const;

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::string> parts_;  // literal text, or "" for a capture
  std::vector<bool> is_capture_;
};

}  // namespace bqb
