#include "fakes/oauth/consent_page.h"

#include <array>
#include <utility>

namespace bqb::fakes {
namespace {

constexpr std::string_view kTitle = "Sign in \u2013 bqbroker emulator";

constexpr std::string_view kStyle =
    "body{font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em;color:#202124}"
    "h1{font-size:1.4em}ul{padding-left:1.2em}li{margin:.3em 0}code{font-size:.85em;color:#5f6368}"
    "fieldset{border:1px solid #dadce0;border-radius:8px;margin:1em 0}"
    "label{display:block;margin:.4em 0}button{font-size:1em;padding:.5em 1.5em;margin-right:1em}";

std::string document(std::string_view body) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                    std::string(kTitle) + "</title><style>" + std::string(kStyle) +
                    "</style></head><body>\n";
  out += body;
  out += "</body></html>\n";
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
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
      default:
        out += c;
    }
  }
  return out;
}

std::string scope_words(std::string_view scope) {
  static const std::array<std::pair<std::string_view, std::string_view>, 7> kWords = {{
      {"openid", "Associate you with your personal info on Google"},
      {"https://www.googleapis.com/auth/userinfo.email",
       "See your primary Google Account email address"},
      {"https://www.googleapis.com/auth/userinfo.profile",
       "See your personal info, including any personal info you've made publicly available"},
      {"https://www.googleapis.com/auth/bigquery", "View and manage your data in Google BigQuery"},
      {"https://www.googleapis.com/auth/bigquery.readonly", "View your data in Google BigQuery"},
      {"https://www.googleapis.com/auth/cloud-platform",
       "See, edit, configure, and delete your Google Cloud data"},
      {"https://www.googleapis.com/auth/cloud-platform.read-only",
       "View your data across Google Cloud services"},
  }};
  const std::string normal = normalize_scope(scope);
  for (const auto& [name, words] : kWords) {
    if (name == normal) return std::string(words);
  }
  return normal;
}

std::string render_consent_page(const ConsentPage& page) {
  std::string body = "<h1>Sign in \u2013 bqbroker emulator</h1>\n";
  body += "<p>The application <code>" + html_escape(page.client_id) +
          "</code> wants to access your Google Account.</p>\n";
  body += "<form id=\"consent\" method=\"post\" action=\"/o/oauth2/consent\">\n";
  body +=
      "<input type=\"hidden\" name=\"pending\" value=\"" + html_escape(page.pending_id) + "\">\n";
  body += "<fieldset><legend>Choose an account</legend>\n";
  for (std::size_t i = 0; i < page.accounts.size(); ++i) {
    const std::string email = html_escape(page.accounts[i]);
    body += "<label><input type=\"radio\" name=\"account\" value=\"" + email + "\"" +
            (i == 0 ? " checked" : "") + "> " + email + "</label>\n";
  }
  body += "</fieldset>\n<p>This will allow the application to:</p>\n<ul id=\"scopes\">\n";
  for (const auto& s : page.scopes) {
    body += "<li>" + html_escape(scope_words(s)) + " <code>" + html_escape(s) + "</code></li>\n";
  }
  body += "</ul>\n";
  body += "<button id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>\n";
  body += "<button id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>\n";
  body += "</form>\n";
  return document(body);
}

std::string render_consent_error(std::string_view message) {
  return document("<h1>Sign in \u2013 bqbroker emulator</h1>\n<p id=\"error\">" +
                  html_escape(message) + "</p>\n");
}

}  // namespace bqb::fakes
