#include "daemon/login/login_page.h"

#include <gtest/gtest.h>

#include <string>

namespace bqb::oauth {
namespace {

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(html_escape(R"(<a href="x" onclick='y'>&</a>)"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain ünïcödé — ok ✓ 😀"), "plain ünïcödé — ok ✓ 😀");
  EXPECT_EQ(html_escape(""), "");
}

TEST(HtmlEscape, ReplacesInvalidUtf8AndControls) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(html_escape("a\xff"
                        "b"),
            "a" + r + "b");
  EXPECT_EQ(html_escape("\xC0\xAF"), r + r);          // overlong '/'
  EXPECT_EQ(html_escape("\xED\xA0\x80"), r + r + r);  // surrogate
  EXPECT_EQ(html_escape("\xE2\x82"), r + r);          // truncated sequence
  EXPECT_EQ(html_escape("x\x1b[0m\ty\n"), "x" + r + "[0m\ty\n");
  EXPECT_EQ(html_escape(std::string("a\0b", 3)), "a" + r + "b");
}

TEST(LoginPage, SuccessNamesTheAccount) {
  std::string p = login_success_page("ada@example.com");
  EXPECT_NE(p.find("Signed in as <strong>ada@example.com</strong> — you can close this window"),
            std::string::npos)
      << p;
  EXPECT_NE(p.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_EQ(p.rfind("<!DOCTYPE html>", 0), 0u);
}

TEST(LoginPage, FailureEscapesEverythingFromOutside) {
  std::string p = login_failure_page("Google said: <script>alert(1)</script> & \"more\"",
                                     "<img src=x onerror=alert(2)>");
  EXPECT_EQ(p.find("<script"), std::string::npos) << p;
  EXPECT_EQ(p.find("<img"), std::string::npos) << p;
  EXPECT_NE(p.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;"),
            std::string::npos);
  EXPECT_NE(p.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
}

TEST(LoginPage, FailureRedactsTokenShapes) {
  std::string p = login_failure_page("bad code 4/0AcodeNeverShownInMessages");
  EXPECT_EQ(p.find("4/0AcodeNever"), std::string::npos);
  EXPECT_NE(p.find("[redacted]"), std::string::npos);
}

TEST(LoginPage, LoadsNothingExternalAndRunsNothing) {
  for (const std::string& p : {login_success_page("a@x.test"), login_failure_page("e", "h")}) {
    for (std::string_view bad :
         {"<script", "<link", "<img", "src=", "http://", "https://", "@import", "url("}) {
      EXPECT_EQ(p.find(bad), std::string::npos) << bad;
    }
  }
}

}  // namespace
}  // namespace bqb::oauth
