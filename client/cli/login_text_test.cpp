// Pure pieces of `bqbroker login`: the browser command, the redirect port, the instructions.

#include "client/cli/login_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/cli/browser.h"

namespace bqb::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kUrl = "https://accounts.example/o/oauth2/auth?client_id=c&state=s";

TEST(BrowserCommand, DefaultsToXdgOpen) {
  EXPECT_THAT(browser_command(kUrl, std::nullopt), ElementsAre("xdg-open", kUrl));
  EXPECT_THAT(browser_command(kUrl, ""), ElementsAre("xdg-open", kUrl));
}

TEST(BrowserCommand, TakesTheFirstEntryOfBrowserAndAppendsTheUrl) {
  EXPECT_THAT(browser_command(kUrl, "firefox:chromium"), ElementsAre("firefox", kUrl));
  EXPECT_THAT(browser_command(kUrl, "firefox --new-window"),
              ElementsAre("firefox", "--new-window", kUrl));
}

TEST(BrowserCommand, SubstitutesPercentS) {
  EXPECT_THAT(browser_command(kUrl, "lynx -dump %s:w3m"), ElementsAre("lynx", "-dump", kUrl));
  EXPECT_THAT(browser_command(kUrl, "open --url=%s"),
              ElementsAre("open", "--url=" + std::string(kUrl)));
}

TEST(RedirectPort, ReadsTheLoopbackPort) {
  EXPECT_EQ(redirect_port("http://127.0.0.1:8085/"), 8085);
  EXPECT_EQ(redirect_port("http://127.0.0.1/"), std::nullopt);
  EXPECT_EQ(redirect_port("not a url"), std::nullopt);
}

TEST(LoginInstructions, ShowUrlSshHintAndPastePrompt) {
  api::LoginStarted s{"id1", std::string(kUrl), "http://127.0.0.1:40123/", 300};
  std::string text = render_login_instructions(s, true);
  EXPECT_THAT(text, HasSubstr(std::string(kUrl)));
  EXPECT_THAT(text, HasSubstr("ssh -L 40123:127.0.0.1:40123 HOST"));
  EXPECT_THAT(text, HasSubstr("paste the address your browser was sent to"));
  EXPECT_THAT(render_login_instructions(s, false), Not(HasSubstr("paste")));
}

}  // namespace
}  // namespace bqb::cli
