#include "daemon/login/login_page.h"

#include <fmt/format.h>

#include "daemon/base/redact.h"

namespace bqb::oauth {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// @returns the length of the valid UTF-8 sequence at s[i], or 0 when it is invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xc0) == 0x80; };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xe0 && b(1) < 0xa0) return 0;   // overlong
    if (c == 0xed && b(1) >= 0xa0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xf0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xf4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

constexpr std::string_view kStyle =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;background:#f6f7f9;"
    "color:#1f2328;margin:0;display:flex;min-height:100vh;align-items:center;"
    "justify-content:center}"
    "main{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:2rem 2.5rem;"
    "max-width:36rem;box-shadow:0 1px 3px rgba(0,0,0,.06)}"
    "h1{font-size:1.25rem;margin:0 0 .75rem}p{margin:.5rem 0;line-height:1.5}"
    ".ok h1{color:#1a7f37}.err h1{color:#cf222e}"
    ".detail{font-family:ui-monospace,monospace;font-size:.9rem;white-space:pre-wrap;"
    "word-break:break-word}";

std::string page(std::string_view cls, std::string_view title, std::string_view body_html) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\">"
      "<title>bqbroker: {}</title><style>{}</style></head>\n"
      "<body><main class=\"{}\"><h1>{}</h1>{}</main></body></html>\n",
      title, kStyle, cls, title, body_html);
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    char c = text[i++];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
        out.push_back(c);
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += kReplacement;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string login_success_page(std::string_view email) {
  return page("ok", "Signed in",
              fmt::format("<p>Signed in as <strong>{}</strong> — you can close this window.</p>",
                          html_escape(email)));
}

std::string login_failure_page(std::string_view message, std::string_view hint) {
  std::string body =
      fmt::format("<p class=\"detail\">{}</p>", html_escape(redact_token_shapes(message)));
  if (!hint.empty()) body += fmt::format("<p>{}</p>", html_escape(redact_token_shapes(hint)));
  return page("err", "Sign-in failed", body);
}

}  // namespace bqb::oauth
