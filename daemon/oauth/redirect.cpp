#include "daemon/oauth/redirect.h"

#include <openssl/crypto.h>

#include <fmt/format.h>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "daemon/base/foreign_text.h"

namespace bqb::oauth {
namespace {

namespace urls = boost::urls;

// Longer than any real redirect (Google's codes are ~70 characters, scopes a few hundred).
constexpr std::size_t kMaxRedirectBytes = 16 * 1024;

std::string_view path_or_root(std::string_view path) { return path.empty() ? "/" : path; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string clean_error_code(std::string_view error) {
  bool ok = !error.empty() && error.size() <= 64 &&
            error.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                std::string_view::npos;
  return ok ? std::string(error) : std::string("invalid_error");
}

Result<urls::url_view> parse_redirect_uri(std::string_view redirect_uri) {
  auto r = urls::parse_absolute_uri(redirect_uri);
  if (!r) return fail(Errc::internal, "the login's redirect_uri is not an absolute URL");
  return *r;
}

// Reads the query of a redirect whose path was already checked.
Result<Redirect> read_query(const urls::url_view& u) {
  Redirect out;
  std::optional<std::string> code, error, description, state;
  // Boost.URL 1.81 reads past the end when iterating the params of an empty query followed by a
  // fragment ("…/?#state=x", found by fuzz/redirect): an empty query has no parameter anyway.
  for (auto param : u.params()) {
    if (u.encoded_query().empty()) break;
    std::optional<std::string>* slot = param.key == "state"               ? &state
                                       : param.key == "code"              ? &code
                                       : param.key == "error"             ? &error
                                       : param.key == "error_description" ? &description
                                       : param.key == "scope"             ? &out.scope
                                                                          : nullptr;
    if (slot == nullptr) continue;  // authuser, prompt, hd, iss: not needed
    if (slot->has_value()) {
      return fail(Errc::bad_request,
                  fmt::format("the redirect repeats the parameter '{}'", param.key));
    }
    *slot = param.has_value ? param.value : std::string();
  }
  if (!state || state->empty()) return fail(Errc::bad_request, "the redirect has no 'state'");
  out.state = std::move(*state);
  bool has_code = code && !code->empty();
  bool has_error = error && !error->empty();
  if (has_code == has_error) {
    return fail(Errc::bad_request, "the redirect must carry either 'code' or 'error'",
                "paste the whole address from the browser's address bar");
  }
  if (has_code) {
    out.code = Secret(std::move(*code));
  } else {
    out.error =
        RedirectError{clean_error_code(*error), sanitize_foreign_text(description.value_or(""))};
  }
  return out;
}

}  // namespace

Result<Redirect> parse_redirect_target(std::string_view target, std::string_view redirect_uri) {
  BQB_TRY(expected, parse_redirect_uri(redirect_uri));
  if (target.size() > kMaxRedirectBytes) return fail(Errc::bad_request, "the redirect is too long");
  auto u = urls::parse_origin_form(target);
  if (!u) return fail(Errc::bad_request, "the redirect's request target is malformed");
  if (path_or_root(u->encoded_path()) != path_or_root(expected.encoded_path())) {
    return fail(Errc::not_found, "not the login redirect path");
  }
  return read_query(*u);
}

Result<Redirect> parse_pasted_redirect(std::string_view pasted, std::string_view redirect_uri) {
  BQB_TRY(expected, parse_redirect_uri(redirect_uri));
  std::string hint = fmt::format(
      "paste the whole address from the browser's address bar; it starts with {}", redirect_uri);
  auto first = pasted.find_first_not_of(" \t\r\n");
  auto last = pasted.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return fail(Errc::bad_request, "the pasted URL is empty", hint);
  pasted = pasted.substr(first, last - first + 1);
  if (pasted.size() > kMaxRedirectBytes) {
    return fail(Errc::bad_request, "the pasted URL is too long", hint);
  }
  auto u = urls::parse_uri(pasted);
  if (!u) return fail(Errc::bad_request, "the pasted text is not a URL", hint);
  bool same = iequals(u->scheme(), expected.scheme()) &&
              iequals(u->encoded_host(), expected.encoded_host()) &&
              u->port_number() == expected.port_number() && u->port() == expected.port() &&
              path_or_root(u->encoded_path()) == path_or_root(expected.encoded_path());
  if (!same) {
    return fail(
        Errc::bad_request,
        fmt::format("the pasted URL is not this login's redirect (expected {})", redirect_uri),
        hint);
  }
  return read_query(*u);
}

bool state_matches(const Secret& expected, std::string_view received) {
  const std::string& e = expected.reveal();
  // The length is not secret (every state has the same one); the content is compared in
  // constant time.
  return !e.empty() && e.size() == received.size() &&
         CRYPTO_memcmp(e.data(), received.data(), e.size()) == 0;
}

Result<Secret> authorization_code_from(const Redirect& redirect, const Secret& expected_state) {
  if (!state_matches(expected_state, redirect.state)) {
    return fail(Errc::forbidden, "the redirect's state does not match this login",
                "start the login again and use the newest URL");
  }
  if (redirect.error) {
    if (redirect.error->error == "access_denied") {
      return fail(Errc::login_denied, "consent was refused in the browser (access_denied)",
                  "run `bqbroker login` again and allow access");
    }
    std::string msg = fmt::format("Google refused the login: {}", redirect.error->error);
    if (!redirect.error->description.empty()) msg += ": " + redirect.error->description;
    return fail(Errc::login_failed, std::move(msg));
  }
  if (!redirect.code) return fail(Errc::bad_request, "the redirect carries no authorization code");
  return *redirect.code;
}

}  // namespace bqb::oauth
