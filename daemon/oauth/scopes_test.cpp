#include "daemon/oauth/scopes.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace bqb::oauth {
namespace {

std::string norm(std::string_view s) { return normalize_scope(s, "test").value(); }

ScopeSet set_of(std::vector<std::string> v) { return ScopeSet::from_list(v, "test").value(); }

TEST(NormalizeScope, ExpandsShortNames) {
  EXPECT_EQ(norm("cloud-platform"), "https://www.googleapis.com/auth/cloud-platform");
  EXPECT_EQ(norm("bigquery.readonly"), "https://www.googleapis.com/auth/bigquery.readonly");
  EXPECT_EQ(norm("bigquery"), kScopeBigQuery);
}

TEST(NormalizeScope, KeepsUrlsAndOpenId) {
  EXPECT_EQ(norm("https://www.googleapis.com/auth/devstorage.read_only"),
            "https://www.googleapis.com/auth/devstorage.read_only");
  EXPECT_EQ(norm("https://mail.google.com/"), "https://mail.google.com/");
  EXPECT_EQ(norm("openid"), "openid");
}

TEST(NormalizeScope, MapsGoogleAliasesToTheSpellingGoogleReports) {
  EXPECT_EQ(norm("email"), "https://www.googleapis.com/auth/userinfo.email");
  EXPECT_EQ(norm("profile"), "https://www.googleapis.com/auth/userinfo.profile");
  EXPECT_EQ(norm("userinfo.email"), norm("email"));
  EXPECT_EQ(norm("https://www.googleapis.com/auth/userinfo.email"), norm("email"));
}

TEST(NormalizeScope, RejectsEmptyAndForbiddenCharactersNamingWhere) {
  for (std::string_view bad :
       std::initializer_list<std::string_view>{"", "a b", "big\"query", "back\\slash", "tab\there",
                                               "nl\n", std::string_view("nul\0x", 5)}) {
    auto r = normalize_scope(bad, "--scope");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, Errc::bad_request);
    EXPECT_NE(r.error().message.find("--scope"), std::string::npos);
  }
  // Control characters are not echoed into the message.
  auto r = normalize_scope("x\x1b[31m", "w");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message.find('\x1b'), std::string::npos);
}

TEST(ShortScopeName, InvertsNormalisation) {
  for (std::string_view s : {"cloud-platform", "bigquery.readonly", "email", "profile", "openid",
                             "https://mail.google.com/"}) {
    EXPECT_EQ(norm(short_scope_name(norm(s))), norm(s)) << s;
  }
  EXPECT_EQ(short_scope_name(kScopeBigQueryReadOnly), "bigquery.readonly");
  EXPECT_EQ(short_scope_name(kScopeEmail), "email");
}

TEST(ScopeSet, SortsDeduplicatesAndNormalises) {
  ScopeSet s = set_of({"email", "bigquery", "https://www.googleapis.com/auth/userinfo.email",
                       "openid", "bigquery"});
  EXPECT_EQ(s.items(), (std::vector<std::string>{std::string(kScopeBigQuery),
                                                 std::string(kScopeEmail), "openid"}));
  EXPECT_EQ(s, set_of({"openid", "userinfo.email", std::string(kScopeBigQuery)}));
}

TEST(ScopeSet, ParsesGoogleSpaceSeparatedField) {
  auto s = ScopeSet::parse_space_separated(
      "https://www.googleapis.com/auth/bigquery openid  "
      "https://www.googleapis.com/auth/userinfo.email",
      "scope");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, set_of({"bigquery", "openid", "email"}));
  EXPECT_TRUE(ScopeSet::parse_space_separated("", "scope")->empty());
  EXPECT_TRUE(ScopeSet::parse_space_separated("   ", "scope")->empty());
  EXPECT_FALSE(ScopeSet::parse_space_separated("a \"b\"", "scope").has_value());
}

TEST(ScopeSet, ParsesCommaSeparatedMetadataParameter) {
  auto s = ScopeSet::parse_comma_separated(
      "https://www.googleapis.com/auth/cloud-platform,,https://www.googleapis.com/auth/bigquery",
      "?scopes=");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, set_of({"cloud-platform", "bigquery"}));
}

TEST(ScopeSet, RendersSpaceSeparated) {
  ScopeSet s = set_of({"openid", "bigquery"});
  EXPECT_EQ(s.space_separated(), "https://www.googleapis.com/auth/bigquery openid");
  EXPECT_EQ(ScopeSet::parse_space_separated(s.space_separated(), "x").value(), s);
  EXPECT_EQ(ScopeSet().space_separated(), "");
}

TEST(ScopeSet, SubsetAndMissing) {
  ScopeSet granted = default_login_scopes();
  ScopeSet readonly = set_of({"bigquery.readonly"});
  ScopeSet wider = set_of({"bigquery.readonly", "cloud-platform", "profile"});
  EXPECT_TRUE(readonly.subset_of(granted));
  EXPECT_TRUE(ScopeSet().subset_of(granted));
  EXPECT_TRUE(granted.subset_of(granted));
  EXPECT_FALSE(wider.subset_of(granted));
  EXPECT_FALSE(granted.subset_of(readonly));
  EXPECT_EQ(wider.missing_from(granted),
            (std::vector<std::string>{"https://www.googleapis.com/auth/cloud-platform",
                                      std::string(kScopeProfile)}));
  EXPECT_TRUE(readonly.missing_from(granted).empty());
  EXPECT_TRUE(granted.contains(kScopeEmail));
  EXPECT_FALSE(granted.contains("email"));  // contains() takes canonical spellings
}

TEST(ScopeSet, UsableAsAMapKey) {
  std::map<ScopeSet, int> m;
  m[set_of({"bigquery", "openid"})] = 1;
  m[set_of({"openid", "bigquery"})] = 2;
  m[set_of({"bigquery.readonly"})] = 3;
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m[set_of({"bigquery", "openid"})], 2);
}

TEST(LoginScopes, DefaultsPlusExtras) {
  EXPECT_EQ(default_login_scopes(), set_of({"bigquery", "bigquery.readonly", "openid", "email"}));
  EXPECT_EQ(login_scopes({}, false).value(), default_login_scopes());
  EXPECT_EQ(login_scopes({"cloud-platform"}, false).value(),
            set_of({"bigquery", "bigquery.readonly", "openid", "email", "cloud-platform"}));
}

TEST(LoginScopes, NoDefaultScopesStillAsksForOpenIdAndEmail) {
  EXPECT_EQ(login_scopes({}, true).value(), set_of({"openid", "email"}));
  EXPECT_EQ(login_scopes({"bigquery.readonly"}, true).value(),
            set_of({"openid", "email", "bigquery.readonly"}));
}

TEST(LoginScopes, InvalidExtraIsAnError) {
  auto r = login_scopes({"bigquery", "two words"}, false);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("two words"), std::string::npos);
}

TEST(RequireGranted, NamesTheMissingScopesAndTheLoginThatGrantsThem) {
  ScopeSet granted = default_login_scopes();
  EXPECT_TRUE(require_granted(set_of({"bigquery.readonly"}), granted, "a@x.test").has_value());
  auto r = require_granted(set_of({"cloud-platform", "bigquery"}), granted, "a@x.test");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::scope_not_granted);
  EXPECT_NE(r.error().message.find("a@x.test"), std::string::npos);
  EXPECT_NE(r.error().message.find("https://www.googleapis.com/auth/cloud-platform"),
            std::string::npos);
  EXPECT_EQ(r.error().message.find("auth/bigquery"), std::string::npos);  // granted: not named
  EXPECT_NE(r.error().hint.find("bqbroker login --scope cloud-platform"), std::string::npos);
}

}  // namespace
}  // namespace bqb::oauth
