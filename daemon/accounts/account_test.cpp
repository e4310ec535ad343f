#include "daemon/accounts/account.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

using nlohmann::json;
using std::chrono::sys_seconds;

sys_seconds at(std::int64_t epoch) { return sys_seconds(std::chrono::seconds(epoch)); }

Account make_account(std::string email) {
  Account a;
  a.email = std::move(email);
  a.client_id = "123-abc.apps.googleusercontent.com";
  a.token_uri = "https://oauth2.googleapis.com/token";
  a.auth_uri = "https://accounts.google.com/o/oauth2/auth";
  a.project_id = "my-project";
  a.scopes = {"https://www.googleapis.com/auth/bigquery", "openid"};
  a.added_at = at(1714564800);
  return a;
}

// --- StoredCredentials ---------------------------------------------------------------------------

TEST(StoredCredentials, RoundTripsThroughOneJsonSecret) {
  const StoredCredentials c{Secret("1//refresh-token-value"), Secret("GOCSPX-client-secret")};
  const Secret s = to_secret(c);
  auto j = json::parse(s.reveal());
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["refresh_token"], "1//refresh-token-value");
  EXPECT_EQ(j["client_secret"], "GOCSPX-client-secret");
  auto back = stored_credentials_from_secret(s, "the keyring item");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, c);
}

TEST(StoredCredentials, ClientSecretMayBeAbsent) {
  auto c = stored_credentials_from_secret(Secret(R"({"version":1,"refresh_token":"rt"})"), "x");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->client_secret.empty());
}

TEST(StoredCredentials, RejectsWhatIsNotOurRecordWithoutEchoingIt) {
  for (const char* text :
       {"plain-old-token-1//abc", "[1]", R"({"version":1})", R"({"version":1,"refresh_token":""})",
        R"({"version":2,"refresh_token":"1//abc"})"}) {
    auto c = stored_credentials_from_secret(Secret(text), "the keyring item of a@b.c");
    ASSERT_FALSE(c) << text;
    EXPECT_EQ(c.error().code, Errc::invalid_json);
    EXPECT_NE(c.error().message.find("the keyring item of a@b.c"), std::string::npos);
    EXPECT_EQ(c.error().message.find("1//abc"), std::string::npos);
  }
}

TEST(StoredCredentials, LabelNamesTheAccount) {
  EXPECT_EQ(credentials_label("a@example.com"), "bqbroker: BigQuery credentials for a@example.com");
}

// --- Time ----------------------------------------------------------------------------------------

TEST(UtcTime, FormatsAndParsesRfc3339) {
  EXPECT_EQ(format_utc(at(1714564800)), "2024-05-01T12:00:00Z");
  EXPECT_EQ(parse_utc("2024-05-01T12:00:00Z"), at(1714564800));
  for (const char* bad : {"", "2024-05-01", "2024-05-01T12:00:00", "2024-05-01T12:00:00+01:00",
                          "2024-02-31T00:00:00Z", "2024-13-01T00:00:00Z", "x024-05-01T12:00:00Z"}) {
    EXPECT_EQ(parse_utc(bad), std::nullopt) << bad;
  }
}

// --- Account JSON --------------------------------------------------------------------------------

TEST(AccountJson, RoundTripsEveryField) {
  Account a = make_account("a@example.com");
  a.state = AccountState::needs_login;
  a.state_reason = "invalid_grant from https://oauth2.googleapis.com/token";
  a.state_since = at(1714568400);
  const json j = to_json(a);
  EXPECT_EQ(j["added_at"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(j["state"], "needs_login");
  auto back = account_from_json(j, "accounts.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, a);
}

TEST(AccountJson, OptionalFieldsMayBeAbsent) {
  json j = {{"email", "a@x"},
            {"client_id", "c"},
            {"token_uri", "https://t"},
            {"added_at", "2024-05-01T12:00:00Z"}};
  auto a = account_from_json(j, "accounts.json");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->state, AccountState::ok);
  EXPECT_FALSE(a->auth_uri);
  EXPECT_FALSE(a->project_id);
  EXPECT_TRUE(a->scopes.empty());
}

TEST(AccountJson, ErrorsNameTheFieldAndTheSource) {
  json j = to_json(make_account("a@x"));
  j.erase("token_uri");
  auto a = account_from_json(j, "accounts.json");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::invalid_json);
  EXPECT_NE(a.error().message.find("'token_uri'"), std::string::npos) << a.error().message;
  EXPECT_NE(a.error().message.find("accounts.json"), std::string::npos) << a.error().message;

  j = to_json(make_account("a@x"));
  j["added_at"] = "yesterday";
  a = account_from_json(j, "accounts.json");
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("'added_at'"), std::string::npos) << a.error().message;
}

TEST(AccountJson, KeepsUnknownFieldsButNeverSecretNamedOnes) {
  json j = to_json(make_account("a@x"));
  j["future_field"] = {{"nested", 1}};
  j["refresh_token"] = "1//must-not-survive";
  j["client_secret"] = "GOCSPX-must-not-survive";
  auto a = account_from_json(j, "accounts.json");
  ASSERT_TRUE(a) << a.error().message;
  const json out = to_json(*a);
  EXPECT_EQ(out["future_field"], j["future_field"]);
  EXPECT_FALSE(out.contains("refresh_token"));
  EXPECT_FALSE(out.contains("client_secret"));
}

TEST(AccountJson, AnUnknownStateIsReadAsNeedsLogin) {
  json j = to_json(make_account("a@x"));
  j["state"] = "quarantined";
  auto a = account_from_json(j, "accounts.json");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->state, AccountState::needs_login);
  EXPECT_NE(a->state_reason.find("quarantined"), std::string::npos);
}

// --- AccountBook ---------------------------------------------------------------------------------

TEST(AccountBook, FirstAccountBecomesDefaultAndUpsertReplacesInPlace) {
  AccountBook book;
  EXPECT_FALSE(upsert_account(book, make_account("a@x")));
  EXPECT_FALSE(upsert_account(book, make_account("b@x")));
  EXPECT_EQ(book.default_email, "a@x");

  Account again = make_account("a@x");
  again.client_id = "other-client";
  auto previous = upsert_account(book, again);
  ASSERT_TRUE(previous);
  EXPECT_EQ(previous->client_id, "123-abc.apps.googleusercontent.com");
  ASSERT_EQ(book.accounts.size(), 2u);
  EXPECT_EQ(book.accounts[0].client_id, "other-client");
  EXPECT_EQ(book.default_email, "a@x");
}

TEST(AccountBook, RemovingTheDefaultPicksTheOldestRemainingThenNone) {
  AccountBook book;
  upsert_account(book, make_account("a@x"));
  upsert_account(book, make_account("b@x"));
  upsert_account(book, make_account("c@x"));
  ASSERT_TRUE(set_default_account(book, "c@x"));
  EXPECT_FALSE(remove_account(book, "nobody@x"));
  ASSERT_TRUE(remove_account(book, "c@x"));
  EXPECT_EQ(book.default_email, "a@x");
  ASSERT_TRUE(remove_account(book, "b@x"));  // not the default: default unchanged
  EXPECT_EQ(book.default_email, "a@x");
  ASSERT_TRUE(remove_account(book, "a@x"));
  EXPECT_EQ(book.default_email, std::nullopt);
  EXPECT_TRUE(book.accounts.empty());
}

TEST(AccountBook, SetDefaultOfAnUnknownAccountIsNotFound) {
  AccountBook book;
  upsert_account(book, make_account("a@x"));
  auto s = set_default_account(book, "b@x");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::not_found);
  EXPECT_EQ(book.default_email, "a@x");
}

TEST(AccountBookJson, RoundTripsWithDefaultAndUnknownTopLevelFields) {
  AccountBook book;
  upsert_account(book, make_account("a@x"));
  upsert_account(book, make_account("b@x"));
  ASSERT_TRUE(set_default_account(book, "b@x"));
  book.extra = {{"written_by", "bqbroker 9"}};
  const json j = to_json(book);
  EXPECT_EQ(j["version"], kAccountsFileVersion);
  EXPECT_EQ(j["default"], "b@x");
  auto back = account_book_from_json(j, "accounts.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->skipped.empty());
  EXPECT_EQ(back->book, book);
}

TEST(AccountBookJson, SkipsUnreadableRecordsAndKeepsTheOthers) {
  json j = to_json(AccountBook{});
  j["accounts"] = json::array(
      {to_json(make_account("a@x")), json{{"email", "b@x"}}, to_json(make_account("a@x")), 42});
  j["default"] = "b@x";  // names a record that was skipped: repaired to the first readable one
  auto parsed = account_book_from_json(j, "accounts.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->book.accounts.size(), 1u);
  EXPECT_EQ(parsed->book.accounts[0].email, "a@x");
  EXPECT_EQ(parsed->book.default_email, "a@x");
  ASSERT_EQ(parsed->skipped.size(), 3u);
  EXPECT_NE(parsed->skipped[0].find("accounts[1]"), std::string::npos) << parsed->skipped[0];
  EXPECT_NE(parsed->skipped[1].find("repeats account a@x"), std::string::npos);
}

TEST(AccountBookJson, RejectsWhatIsNotAnAccountsFile) {
  for (const json& j : {json::array(), json{{"version", 1}}, json{{"accounts", json::array()}},
                        json{{"version", 1}, {"accounts", "x"}}}) {
    auto parsed = account_book_from_json(j, "accounts.json");
    ASSERT_FALSE(parsed) << j.dump();
    EXPECT_EQ(parsed.error().code, Errc::invalid_json);
  }
}

TEST(AccountBookJson, RefusesANewerVersionWithAHint) {
  json j = to_json(AccountBook{});
  j["version"] = kAccountsFileVersion + 1;
  auto parsed = account_book_from_json(j, "accounts.json");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("newer"), std::string::npos);
  EXPECT_FALSE(parsed.error().hint.empty());
}

}  // namespace
}  // namespace bqb
