// The interactive consent mode: the page's contract (ids, names, escaping), its form post and
// the single use of a pending request; driven through FakeGoogle::handle().

#include <gtest/gtest.h>

#include <regex>

#include <boost/url/url.hpp>

#include "fakes/oauth/consent_page.h"
#include "fakes/oauth/crypto.h"
#include "fakes/oauth/fake_google.h"
#include "fakes/oauth/pkce.h"

namespace bqb::fakes {
namespace {

using nlohmann::json;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kRedirect = "http://127.0.0.1:4243/cb";

std::string encode(const Fields& fields) {
  boost::urls::url u;
  for (const auto& [k, v] : fields) u.params().append({k, v});
  return std::string(u.encoded_query());
}

std::string location(const FakeResponse& r) {
  for (const auto& [k, v] : r.headers) {
    if (k == "Location") return v;
  }
  return {};
}

Params location_params(const FakeResponse& r) {
  const std::string loc = location(r);
  auto p = parse_params(loc.substr(loc.find('?') + 1), "Location");
  return p ? *p : Params{};
}

/// @returns the value attribute of the hidden "pending" input, "" when there is none.
std::string pending_id(const std::string& html) {
  std::smatch m;
  static const std::regex kPending(R"re(<input type="hidden" name="pending" value="([^"]*)">)re");
  return std::regex_search(html, m, kPending) ? m[1].str() : std::string();
}

class ConsentPageTest : public ::testing::Test {
 protected:
  ConsentPageTest() : fake_("http://127.0.0.1:1") {
    client_ = generate_client("cid.apps.googleusercontent.com", "proj");
    fake_.clients().put(client_);
    fake_.consent().kind = ConsentMode::Kind::interactive;
    fake_.consent().accounts = {"alice@example.com", "bob@example.com"};
  }

  FakeResponse authorize(Fields extra = {}) {
    Fields f = {{"response_type", "code"},
                {"client_id", client_.client_id},
                {"redirect_uri", std::string(kRedirect)},
                {"scope", "openid email https://www.googleapis.com/auth/bigquery"},
                {"state", "st<&>"},
                {"code_challenge", s256_challenge(verifier_)},
                {"code_challenge_method", "S256"},
                {"access_type", "offline"}};
    f.insert(f.end(), extra.begin(), extra.end());
    return fake_.handle({"GET", "/o/oauth2/v2/auth?" + encode(f), "", ""}, now_);
  }
  FakeResponse answer(const Fields& form) {
    return fake_.handle(
        {"POST", "/o/oauth2/consent", "application/x-www-form-urlencoded", encode(form)}, now_);
  }
  FakeResponse exchange(const std::string& code) {
    Fields f = {
        {"grant_type", "authorization_code"},     {"code", code},
        {"client_id", client_.client_id},         {"client_secret", client_.client_secret.reveal()},
        {"redirect_uri", std::string(kRedirect)}, {"code_verifier", verifier_}};
    return fake_.handle({"POST", "/token", "application/x-www-form-urlencoded", encode(f)}, now_);
  }

  FakeGoogle fake_;
  Client client_;
  std::string verifier_ = random_urlsafe(40);
  Clock::time_point now_ = Clock::now();
};

TEST_F(ConsentPageTest, AuthorizeShowsThePageOfTheContract) {
  FakeResponse r = authorize();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.content_type.starts_with("text/html")) << r.content_type;
  const std::string& html = r.body;
  EXPECT_NE(html.find("<title>Sign in \u2013 bqbroker emulator</title>"), std::string::npos);
  EXPECT_NE(html.find(R"(<form id="consent" method="post" action="/o/oauth2/consent">)"),
            std::string::npos);
  EXPECT_NE(html.find(R"(<input type="radio" name="account" value="alice@example.com" checked>)"),
            std::string::npos);
  EXPECT_NE(html.find(R"(<input type="radio" name="account" value="bob@example.com">)"),
            std::string::npos);
  EXPECT_NE(html.find(R"(<button id="allow" name="decision" value="allow">Allow</button>)"),
            std::string::npos);
  EXPECT_NE(html.find(R"(<button id="deny" name="decision" value="deny">Deny</button>)"),
            std::string::npos);
  EXPECT_NE(html.find("View and manage your data in Google BigQuery"), std::string::npos);
  EXPECT_NE(html.find("See your primary Google Account email address"), std::string::npos);
  // The hidden field is an opaque id, not the request: neither state nor challenge are on it.
  const std::string id = pending_id(html);
  EXPECT_GE(id.size(), 24u);
  EXPECT_EQ(html.find("st&lt;"), std::string::npos);
  EXPECT_EQ(html.find(s256_challenge(verifier_)), std::string::npos);
  EXPECT_EQ(html.find(std::string(kRedirect)), std::string::npos);
}

TEST_F(ConsentPageTest, AllowRedirectsWithACodeForTheChosenAccountThatExchanges) {
  const std::string id = pending_id(authorize().body);
  FakeResponse r = answer({{"pending", id}, {"account", "bob@example.com"}, {"decision", "allow"}});
  ASSERT_EQ(r.status, 302) << r.body;
  EXPECT_TRUE(location(r).starts_with(std::string(kRedirect) + "?")) << location(r);
  const Params p = location_params(r);
  EXPECT_EQ(param(p, "state"), "st<&>");
  FakeResponse token = exchange(std::string(param(p, "code")));
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string access = json::parse(token.body)["access_token"];
  FakeResponse info = fake_.handle({"GET", "/tokeninfo?access_token=" + access, "", ""}, now_);
  EXPECT_EQ(json::parse(info.body)["email"], "bob@example.com");
}

TEST_F(ConsentPageTest, DenyRedirectsWithAccessDenied) {
  const std::string id = pending_id(authorize().body);
  FakeResponse r =
      answer({{"pending", id}, {"account", "alice@example.com"}, {"decision", "deny"}});
  ASSERT_EQ(r.status, 302) << r.body;
  const Params p = location_params(r);
  EXPECT_EQ(param(p, "error"), "access_denied");
  EXPECT_EQ(param(p, "state"), "st<&>");
  EXPECT_EQ(param(p, "code"), "");
}

TEST_F(ConsentPageTest, APendingRequestIsAnsweredOnce) {
  const std::string id = pending_id(authorize().body);
  ASSERT_EQ(
      answer({{"pending", id}, {"account", "alice@example.com"}, {"decision", "allow"}}).status,
      302);
  FakeResponse again =
      answer({{"pending", id}, {"account", "alice@example.com"}, {"decision", "allow"}});
  EXPECT_EQ(again.status, 400);
  EXPECT_TRUE(again.content_type.starts_with("text/html"));
  EXPECT_NE(again.body.find("already answered"), std::string::npos);
  EXPECT_EQ(answer({{"pending", "made-up"}, {"decision", "allow"}}).status, 400);
}

TEST_F(ConsentPageTest, UnlistedAccountOrDecisionIsRefusedAndKeepsTheRequest) {
  const std::string id = pending_id(authorize().body);
  EXPECT_EQ(
      answer({{"pending", id}, {"account", "mallory@example.com"}, {"decision", "allow"}}).status,
      400);
  EXPECT_EQ(
      answer({{"pending", id}, {"account", "alice@example.com"}, {"decision", "maybe"}}).status,
      400);
  EXPECT_EQ(
      answer({{"pending", id}, {"account", "alice@example.com"}, {"decision", "allow"}}).status,
      302);
}

TEST_F(ConsentPageTest, PendingRequestsExpireWithTheCodeLifetime) {
  const std::string id = pending_id(authorize().body);
  now_ += fake_.settings().code_lifetime + std::chrono::seconds(1);
  EXPECT_EQ(
      answer({{"pending", id}, {"account", "alice@example.com"}, {"decision", "allow"}}).status,
      400);
}

TEST_F(ConsentPageTest, InvalidRequestsGetTheErrorNotThePage) {
  FakeResponse r = authorize({{"prompt", "consent"}});
  ASSERT_EQ(r.status, 200);
  Fields bad = {{"response_type", "code"}, {"client_id", "nobody"}};
  FakeResponse e = fake_.handle({"GET", "/o/oauth2/v2/auth?" + encode(bad), "", ""}, now_);
  EXPECT_EQ(e.status, 401);
  EXPECT_EQ(json::parse(e.body)["error"], "invalid_client");
  EXPECT_EQ(fake_.handle({"GET", "/o/oauth2/consent", "", ""}, now_).status, 405);
}

TEST_F(ConsentPageTest, LoginHintPutsThatAccountFirst) {
  const std::string html = authorize({{"login_hint", "bob@example.com"}}).body;
  EXPECT_NE(html.find(R"(value="bob@example.com" checked>)"), std::string::npos);
}

TEST_F(ConsentPageTest, ModeAndAccountsThroughTheControlApi) {
  FakeGoogle other("http://127.0.0.1:1");
  FakeResponse r = other.handle({"POST", "/_fake/consent", "application/json",
                                 R"({"mode":"interactive","accounts":["x@example.com"]})"},
                                now_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["mode"], "interactive");
  EXPECT_EQ(other.consent().kind, ConsentMode::Kind::interactive);
  EXPECT_EQ(other.consent().accounts, std::vector<std::string>{"x@example.com"});
  EXPECT_EQ(other
                .handle({"POST", "/_fake/consent", "application/json",
                         R"({"mode":"interactive","accounts":[1]})"},
                        now_)
                .status,
            400);
}

TEST(ConsentPageRender, EscapesEverything) {
  EXPECT_EQ(html_escape(R"(<a href="x">'&'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  const std::string html = render_consent_page({"id\"><script>",
                                                "c<lient>",
                                                {"eve\"@example.com"},
                                                {"https://www.googleapis.com/auth/x<y>"}});
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("c<lient>"), std::string::npos);
  EXPECT_NE(html.find("eve&quot;@example.com"), std::string::npos);
  EXPECT_NE(html.find("x&lt;y&gt;"), std::string::npos);
}

}  // namespace
}  // namespace bqb::fakes
