#include "daemon/base/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace bqb {
namespace {

// Characters that continue a token: base64url, '.', '/', and '-' (Google tokens use all of them).
bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '/' || c == '~' || c == '+' || c == '=';
}

// A token starts a word: it does not continue a run of letters, digits, '-', '_' or '.'.
bool starts_word(std::string_view text, std::size_t pos) {
  if (pos == 0) return true;
  char c = text[pos - 1];
  return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
}

struct Shape {
  std::string_view prefix;
  std::size_t min_tail;  // characters after the prefix that make it a token, not a word
};

constexpr std::array kShapes{
    Shape{"ya29.", 8},    // OAuth access token
    Shape{"1//", 8},      // refresh token
    Shape{"4/0", 8},      // authorization code
    Shape{"GOCSPX-", 8},  // client secret
    Shape{"Bearer ", 8},  // Authorization header value
};

}  // namespace

std::string redact_token_shapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    bool matched = false;
    for (const auto& shape : kShapes) {
      if (text.substr(i, shape.prefix.size()) != shape.prefix || !starts_word(text, i)) continue;
      std::size_t end = i + shape.prefix.size();
      while (end < text.size() && token_char(text[end])) ++end;
      if (end - i - shape.prefix.size() < shape.min_tail) continue;
      if (shape.prefix == "Bearer ") out.append("Bearer ");
      out.append(kRedacted);
      i = end;
      matched = true;
      break;
    }
    if (!matched) out.push_back(text[i++]);
  }
  return out;
}

void Redactor::remember(std::string_view secret) {
  if (secret.size() < 8) return;
  std::lock_guard lock(mu_);
  auto it = std::find(secrets_.begin(), secrets_.end(), secret);
  if (it != secrets_.end()) {
    std::rotate(it, it + 1, secrets_.end());  // the most recent again
    return;
  }
  if (secrets_.size() >= capacity_) secrets_.erase(secrets_.begin());
  secrets_.emplace_back(secret);
}

std::size_t Redactor::size() const {
  std::lock_guard lock(mu_);
  return secrets_.size();
}

std::string Redactor::apply(std::string_view text) const {
  std::string out(text);
  {
    std::lock_guard lock(mu_);
    for (const auto& s : secrets_) {
      for (auto pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos)) {
        out.replace(pos, s.size(), kRedacted);
        pos += kRedacted.size();
      }
    }
  }
  return redact_token_shapes(out);
}

Redactor& Redactor::global() {
  static Redactor instance;
  return instance;
}

}  // namespace bqb
