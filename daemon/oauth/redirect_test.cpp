#include "daemon/oauth/redirect.h"

#include <gtest/gtest.h>

#include <string>

namespace bqb::oauth {
namespace {

constexpr std::string_view kRedirectUri = "http://127.0.0.1:41234/";
constexpr std::string_view kCode = "4/0AcodeNeverShownInMessages";

void expect_no_code(const Error& e) {
  EXPECT_EQ(e.message.find(kCode), std::string::npos) << e.message;
  EXPECT_EQ(e.hint.find(kCode), std::string::npos) << e.hint;
  EXPECT_EQ(e.message.find("AcodeNever"), std::string::npos) << e.message;
}

TEST(RedirectTarget, ParsesCodeStateAndScope) {
  auto r = parse_redirect_target(
      "/?state=abc_DEF-123&code=4%2F0AcodeNeverShownInMessages&scope=email%20openid%20"
      "https://www.googleapis.com/auth/bigquery&authuser=0&prompt=consent",
      kRedirectUri);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->state, "abc_DEF-123");
  ASSERT_TRUE(r->code.has_value());
  EXPECT_EQ(r->code->reveal(), kCode);
  EXPECT_FALSE(r->error.has_value());
  EXPECT_EQ(r->scope, "email openid https://www.googleapis.com/auth/bigquery");
}

TEST(RedirectTarget, ParsesADenial) {
  auto r = parse_redirect_target("/?error=access_denied&state=s1", kRedirectUri);
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->error.has_value());
  EXPECT_EQ(r->error->error, "access_denied");
  EXPECT_FALSE(r->code.has_value());
}

TEST(RedirectTarget, OtherPathsAreNotFound) {
  for (std::string_view t : {"/favicon.ico", "/x?state=s&code=c", "/robots.txt"}) {
    auto r = parse_redirect_target(t, kRedirectUri);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::not_found) << t;
  }
  // An empty path is the root.
  EXPECT_TRUE(parse_redirect_target("/?state=s&code=c", "http://127.0.0.1:5").has_value());
  // A redirect_uri with a path only accepts that path.
  EXPECT_TRUE(parse_redirect_target("/cb?state=s&code=c", "http://127.0.0.1:5/cb").has_value());
  EXPECT_EQ(parse_redirect_target("/?state=s&code=c", "http://127.0.0.1:5/cb").error().code,
            Errc::not_found);
}

TEST(RedirectTarget, MalformedOrAmbiguousRequestsAreBadRequests) {
  for (std::string_view t : {
           "/?code=4/0AcodeNeverShownInMessages",                                // no state
           "/?state=&code=4/0AcodeNeverShownInMessages",                         // empty state
           "/?state=s",                                                          // neither
           "/?state=s&code=4/0AcodeNeverShownInMessages&error=access_denied",    // both
           "/?state=s&state=t&code=4/0AcodeNeverShownInMessages",                // repeated
           "/?state=s&code=4/0AcodeNeverShownInMessages&code=x",                 // repeated
           "/?state=s&code=4/0AcodeNeverShownInMessages%ZZ",                     // bad escape
           "http://127.0.0.1:41234/?state=s&code=4/0AcodeNeverShownInMessages",  // not origin-form
           "",
           "*",
       }) {
    auto r = parse_redirect_target(t, kRedirectUri);
    ASSERT_FALSE(r.has_value()) << t;
    EXPECT_EQ(r.error().code, Errc::bad_request) << t;
    expect_no_code(r.error());
  }
}

TEST(RedirectTarget, HugeTargetIsRefused) {
  std::string t = "/?state=s&code=" + std::string(100000, 'c');
  EXPECT_EQ(parse_redirect_target(t, kRedirectUri).error().code, Errc::bad_request);
}

TEST(RedirectTarget, ErrorFieldsAreSanitised) {
  auto r = parse_redirect_target(
      "/?state=s&error=%3Cscript%3E&error_description=see%20ya29.a0AccessTokenLooking%0Aline",
      kRedirectUri);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error->error, "invalid_error");
  EXPECT_EQ(r->error->description, "see [redacted] line");
}

TEST(PastedRedirect, AcceptsTheAddressBarContent) {
  auto r = parse_pasted_redirect(
      "  http://127.0.0.1:41234/?state=s1&code=4/0AcodeNeverShownInMessages&scope=openid\n",
      kRedirectUri);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->state, "s1");
  EXPECT_EQ(r->code->reveal(), kCode);
  // Browsers may show the host in another case; an empty path is the root.
  EXPECT_TRUE(
      parse_pasted_redirect("HTTP://127.0.0.1:41234?state=s&code=c", kRedirectUri).has_value());
}

TEST(PastedRedirect, RefusesAnotherHostPortPathOrScheme) {
  for (std::string_view url : {
           "http://127.0.0.1:41235/?state=s&code=4/0AcodeNeverShownInMessages",
           "http://localhost:41234/?state=s&code=4/0AcodeNeverShownInMessages",
           "http://evil.test:41234/?state=s&code=4/0AcodeNeverShownInMessages",
           "https://127.0.0.1:41234/?state=s&code=4/0AcodeNeverShownInMessages",
           "http://127.0.0.1/?state=s&code=4/0AcodeNeverShownInMessages",
           "http://127.0.0.1:41234/other?state=s&code=4/0AcodeNeverShownInMessages",
       }) {
    auto r = parse_pasted_redirect(url, kRedirectUri);
    ASSERT_FALSE(r.has_value()) << url;
    EXPECT_EQ(r.error().code, Errc::bad_request);
    EXPECT_NE(r.error().message.find(kRedirectUri), std::string::npos);
    expect_no_code(r.error());
  }
}

TEST(PastedRedirect, RefusesWhatIsNotAUrl) {
  for (std::string_view text :
       {"", "   ", "4/0AcodeNeverShownInMessages", "state=s&code=4/0AcodeNeverShownInMessages",
        "?state=s&code=4/0AcodeNeverShownInMessages"}) {
    auto r = parse_pasted_redirect(text, kRedirectUri);
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_EQ(r.error().code, Errc::bad_request);
    EXPECT_NE(r.error().hint.find("address bar"), std::string::npos);
    expect_no_code(r.error());
  }
}

TEST(StateMatches, ComparesWholeValues) {
  Secret s("abcdefghijklmnop");
  EXPECT_TRUE(state_matches(s, "abcdefghijklmnop"));
  EXPECT_FALSE(state_matches(s, "abcdefghijklmnoq"));
  EXPECT_FALSE(state_matches(s, "abcdefghijklmno"));
  EXPECT_FALSE(state_matches(s, "abcdefghijklmnopq"));
  EXPECT_FALSE(state_matches(s, ""));
  EXPECT_FALSE(state_matches(Secret(""), ""));  // an unset state never matches
}

TEST(AuthorizationCodeFrom, ReturnsTheCodeOnlyForTheMatchingState) {
  Secret state("the-state-123");
  auto r =
      parse_redirect_target("/?state=the-state-123&code=4/0AcodeNeverShownInMessages", kRedirectUri)
          .value();
  EXPECT_EQ(authorization_code_from(r, state).value().reveal(), kCode);

  auto other = authorization_code_from(r, Secret("another-state"));
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code, Errc::forbidden);
  expect_no_code(other.error());
}

TEST(AuthorizationCodeFrom, DenialAndOtherErrors) {
  Secret state("st");
  auto denied = authorization_code_from(
      parse_redirect_target("/?error=access_denied&state=st", kRedirectUri).value(), state);
  EXPECT_EQ(denied.error().code, Errc::login_denied);

  auto failed = authorization_code_from(
      parse_redirect_target("/?error=invalid_scope&error_description=Some%20scope&state=st",
                            kRedirectUri)
          .value(),
      state);
  EXPECT_EQ(failed.error().code, Errc::login_failed);
  EXPECT_NE(failed.error().message.find("invalid_scope: Some scope"), std::string::npos);

  // A denial with someone else's state does not end this flow.
  auto foreign = authorization_code_from(
      parse_redirect_target("/?error=access_denied&state=zz", kRedirectUri).value(), state);
  EXPECT_EQ(foreign.error().code, Errc::forbidden);
}

}  // namespace
TEST(PastedRedirect, AnEmptyQueryBeforeAFragmentIsRefusedNotACrash) {
  // Found by fuzz/redirect: Boost.URL 1.81 read past the end iterating these params.
  auto r = parse_pasted_redirect("http://127.0.0.1:8085/?#state=sh", "http://127.0.0.1:8085/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::bad_request);
  EXPECT_EQ(r.error().message, "the redirect has no 'state'");
}

}  // namespace bqb::oauth
