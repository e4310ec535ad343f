// The metadata server's answers for one identity: text and JSON bodies and their ?alt= forms,
// token scope checks, the token JSON's integer expires_in, the project number, ETags, and error
// replies.

#include "daemon/metadata/metadata_answer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace bqb::metadata {
namespace {

using namespace std::chrono_literals;

MetadataIdentity identity() {
  return MetadataIdentity{
      "Ada@Example.com",
      oauth::ScopeSet::from_list({"bigquery", "bigquery.readonly", "email", "openid"}, "test")
          .value(),
      "proj-1", std::nullopt};
}

MetadataCall call(Resource r, std::string account = "default") {
  MetadataCall c;
  c.resource = r;
  c.service_account = std::move(account);
  return c;
}

MetadataCall with_alt(MetadataCall c, Alt alt) {
  c.alt = alt;
  return c;
}

MetadataCall listing(std::string text) {
  MetadataCall c;
  c.resource = Resource::listing;
  c.listing = std::move(text);
  return c;
}

MetadataReply reply_of(const MetadataCall& c, const MetadataIdentity& id = identity()) {
  auto a = answer(c, id);
  EXPECT_TRUE(std::holds_alternative<MetadataReply>(a));
  return std::holds_alternative<MetadataReply>(a) ? std::get<MetadataReply>(a) : MetadataReply{};
}

TEST(MetadataAnswer, AccountInfoIsJsonWithAliasesEmailAndScopes) {
  auto r = reply_of(call(Resource::account_info));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["aliases"], nlohmann::json::array({"default"}));
  EXPECT_EQ(j["email"], "Ada@Example.com");
  EXPECT_EQ(j["scopes"], nlohmann::json(identity().scopes.items()));
}

TEST(MetadataAnswer, RecursiveServiceAccountsIsEachNameWithItsAccountInfo) {
  auto r = reply_of(call(Resource::service_accounts_info));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  const auto info = nlohmann::json::parse(reply_of(call(Resource::account_info)).body);
  EXPECT_EQ(nlohmann::json::parse(r.body),
            (nlohmann::json{{"default", info}, {"Ada@Example.com", info}}));
  EXPECT_EQ(reply_of(with_alt(call(Resource::service_accounts_info), Alt::text))
                .body.rfind(
                    "Ada@Example.com/aliases default\nAda@Example.com/email Ada@Example.com\n", 0),
            0u);
}

TEST(MetadataAnswer, TextAnswers) {
  EXPECT_EQ(reply_of(call(Resource::email)).body, "Ada@Example.com");
  EXPECT_EQ(reply_of(call(Resource::email, "ada@example.com")).body, "Ada@Example.com");
  EXPECT_EQ(reply_of(call(Resource::scopes)).body,
            "https://www.googleapis.com/auth/bigquery\n"
            "https://www.googleapis.com/auth/bigquery.readonly\n"
            "https://www.googleapis.com/auth/userinfo.email\nopenid\n");
  EXPECT_EQ(reply_of(call(Resource::service_accounts)).body, "default/\nAda@Example.com/\n");
  EXPECT_EQ(reply_of(call(Resource::project_id)).body, "proj-1");
  EXPECT_EQ(reply_of(call(Resource::email)).content_type, "application/text");
}

TEST(MetadataAnswer, NoProjectIs404) {
  auto id = identity();
  id.project.reset();
  EXPECT_EQ(reply_of(call(Resource::project_id), id).status, 404);
}

TEST(MetadataAnswer, OtherServiceAccountsAre404) {
  auto r = reply_of(call(Resource::token, "someone@example.com"));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("someone@example.com"), std::string::npos);
}

TEST(MetadataAnswer, TokenWithoutScopesAsksForTheEndpointsScopes) {
  auto a = answer(call(Resource::token), identity());
  ASSERT_TRUE(std::holds_alternative<TokenNeeded>(a));
  EXPECT_EQ(std::get<TokenNeeded>(a).scopes, identity().scopes);
}

TEST(MetadataAnswer, TokenWithSubsetScopesAsksForThoseOnly) {
  auto c = call(Resource::token);
  c.scopes_param = "https://www.googleapis.com/auth/bigquery.readonly,email";
  auto a = answer(c, identity());
  ASSERT_TRUE(std::holds_alternative<TokenNeeded>(a));
  EXPECT_EQ(std::get<TokenNeeded>(a).scopes,
            oauth::ScopeSet::from_list({"bigquery.readonly", "email"}, "t").value());
}

TEST(MetadataAnswer, TokenWithScopesBeyondTheEndpointsIs403NamingThem) {
  auto c = call(Resource::token);
  c.scopes_param = "https://www.googleapis.com/auth/cloud-platform,bigquery";
  auto r = reply_of(c);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("https://www.googleapis.com/auth/cloud-platform"), std::string::npos);
  EXPECT_EQ(r.body.find("not granted here: https://www.googleapis.com/auth/bigquery"),
            std::string::npos);
}

TEST(MetadataAnswer, TokenWithAnInvalidScopeIs400) {
  auto c = call(Resource::token);
  c.scopes_param = "bad scope";
  EXPECT_EQ(reply_of(c).status, 400);
}

TEST(MetadataAnswer, TokenJsonHasAnIntegerExpiresIn) {
  const auto now = std::chrono::system_clock::time_point(1'700'000'000s);
  auto r = token_reply(Secret("ya29.tok"), now + 3599s + 700ms, now);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["access_token"], "ya29.tok");
  ASSERT_TRUE(j["expires_in"].is_number_integer());
  EXPECT_EQ(j["expires_in"], 3599);
  EXPECT_EQ(j["token_type"], "Bearer");
  EXPECT_EQ(j.size(), 3u);
  // Already expired (should not happen): 0, never negative.
  EXPECT_EQ(nlohmann::json::parse(token_reply(Secret("t"), now - 5s, now).body)["expires_in"], 0);
}

TEST(MetadataAnswer, ErrorReplyCarriesStatusMessageAndHint) {
  auto r =
      error_reply(Error{Errc::needs_login, "a@example.com needs a new login", "bqbroker login"});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("needs a new login"), std::string::npos);
  EXPECT_NE(r.body.find("bqbroker login"), std::string::npos);
}

TEST(MetadataAnswer, AltJsonMakesATextValueAJsonString) {
  auto r = reply_of(with_alt(call(Resource::email), Alt::json));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "\"Ada@Example.com\"");
  auto project = reply_of(with_alt(call(Resource::project_id), Alt::json));
  EXPECT_EQ(project.body, "\"proj-1\"");
  // alt=text is the default form of a text value.
  EXPECT_EQ(reply_of(with_alt(call(Resource::email), Alt::text)), reply_of(call(Resource::email)));
}

TEST(MetadataAnswer, AltJsonMakesListsAndListingsJsonArrays) {
  auto scopes = reply_of(with_alt(call(Resource::scopes), Alt::json));
  EXPECT_EQ(scopes.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(scopes.body), nlohmann::json(identity().scopes.items()));
  EXPECT_EQ(reply_of(with_alt(call(Resource::aliases), Alt::json)).body, "[\"default\"]");
  EXPECT_EQ(reply_of(with_alt(listing("instance/\nproject/\n"), Alt::json)).body,
            "[\"instance/\",\"project/\"]");
  EXPECT_EQ(reply_of(with_alt(call(Resource::service_accounts), Alt::json)).body,
            "[\"default/\",\"Ada@Example.com/\"]");
  EXPECT_EQ(reply_of(with_alt(call(Resource::account_listing), Alt::json)).body,
            "[\"aliases\",\"email\",\"scopes\",\"token\"]");
  // The default form of a listing is its lines, exactly.
  auto root = reply_of(listing("computeMetadata/\n"));
  EXPECT_EQ(root.body, "computeMetadata/\n");
  EXPECT_EQ(root.content_type, "application/text");
}

TEST(MetadataAnswer, AltTextOfAccountInfoIsKeyValueLines) {
  auto r = reply_of(with_alt(call(Resource::account_info), Alt::text));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/text");
  EXPECT_EQ(r.body,
            "aliases default\n"
            "email Ada@Example.com\n"
            "scopes https://www.googleapis.com/auth/bigquery\n"
            "scopes https://www.googleapis.com/auth/bigquery.readonly\n"
            "scopes https://www.googleapis.com/auth/userinfo.email\n"
            "scopes openid\n");
  EXPECT_EQ(reply_of(with_alt(call(Resource::account_info), Alt::json)),
            reply_of(call(Resource::account_info)));
}

TEST(MetadataAnswer, AltTextOfTheTokenIsKeyValueLines) {
  const auto now = std::chrono::system_clock::time_point(1'700'000'000s);
  auto r = token_reply(Secret("ya29.tok"), now + 3599s, now, Alt::text);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/text");
  EXPECT_EQ(r.body, "access_token ya29.tok\nexpires_in 3599\ntoken_type Bearer\n");
  EXPECT_EQ(token_reply(Secret("ya29.tok"), now + 3599s, now, Alt::json),
            token_reply(Secret("ya29.tok"), now + 3599s, now));
}

TEST(MetadataAnswer, NumericProjectIdIs404UnlessConfigured) {
  auto unset = reply_of(call(Resource::numeric_project_id));
  EXPECT_EQ(unset.status, 404);
  EXPECT_NE(unset.body.find("numeric_project_id"), std::string::npos) << unset.body;
  EXPECT_EQ(reply_of(call(Resource::project_listing)).body, "project-id\n");

  auto id = identity();
  id.numeric_project = "123456789012";
  auto set = reply_of(call(Resource::numeric_project_id), id);
  EXPECT_EQ(set.status, 200);
  EXPECT_EQ(set.content_type, "application/text");
  EXPECT_EQ(set.body, "123456789012");
  // GCE's JSON form of the number is a number.
  EXPECT_EQ(reply_of(with_alt(call(Resource::numeric_project_id), Alt::json), id).body,
            "123456789012");
  EXPECT_EQ(reply_of(call(Resource::project_listing), id).body, "numeric-project-id\nproject-id\n");
}

TEST(MetadataAnswer, TheProjectNumberGoesOnlyBesideItsProject) {
  const std::optional<std::string> number = "42";
  EXPECT_EQ(numeric_project_for("p", "p", number), "42");
  EXPECT_EQ(numeric_project_for("other", "p", number), std::nullopt);
  EXPECT_EQ(numeric_project_for(std::nullopt, "p", number), std::nullopt);
  EXPECT_EQ(numeric_project_for("p", "p", std::nullopt), std::nullopt);
}

TEST(MetadataAnswer, EtagIsSixteenHexDigitsOfTheBodysSha256) {
  // SHA-256("") = e3b0c44298fc1c14…
  EXPECT_EQ(etag_of(""), "e3b0c44298fc1c14");
  EXPECT_EQ(etag_of("proj-1"), etag_of("proj-1"));
  EXPECT_NE(etag_of("proj-1"), etag_of("proj-2"));
  const auto tag = etag_of(R"({"access_token":"ya29.tok","expires_in":3599})");
  EXPECT_EQ(tag.size(), 16u);
  EXPECT_EQ(tag.find_first_not_of("0123456789abcdef"), std::string::npos) << tag;
  EXPECT_EQ(tag.find("ya29"), std::string::npos);
}

}  // namespace
}  // namespace bqb::metadata
