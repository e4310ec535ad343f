#include "daemon/tokens/api_token.h"

#include <gtest/gtest.h>
#include <boost/url/parse.hpp>

namespace bqb {
namespace {

using namespace std::chrono_literals;

Result<TokenRequest> parse(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  EXPECT_TRUE(url) << target;
  return parse_token_query(url->params());
}

TEST(ParseTokenQuery, NothingMeansDefaultAccountGrantedScopesNoMinimum) {
  auto r = parse("/v1/token");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->account);
  EXPECT_FALSE(r->scopes);
  EXPECT_EQ(r->min_valid, 0s);
}

TEST(ParseTokenQuery, AccountRepeatedScopesAndMinValid) {
  auto r = parse(
      "/v1/token?account=a%40example.com&scope=bigquery.readonly&scope=email"
      "&min_valid=600");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->account, "a@example.com");
  ASSERT_TRUE(r->scopes);
  EXPECT_EQ(r->scopes->items(),
            (std::vector<std::string>{"https://www.googleapis.com/auth/bigquery.readonly",
                                      "https://www.googleapis.com/auth/userinfo.email"}));
  EXPECT_EQ(r->min_valid, 600s);
}

TEST(ParseTokenQuery, RefusesWhatIsWrongNamingTheParameter) {
  struct Case {
    std::string_view target;
    std::string_view names;
  };
  for (const auto& [target, names] : std::vector<Case>{
           {"/v1/token?min_valid=abc", "min_valid"},
           {"/v1/token?min_valid=-5", "min_valid"},
           {"/v1/token?min_valid=3001", "min_valid"},
           {"/v1/token?min_valid=", "min_valid"},
           {"/v1/token?account=a@x&account=b@x", "account"},
           {"/v1/token?account=", "account"},
           {"/v1/token?scope=", "scope"},
           {"/v1/token?scope=a%20b", "scope"},
           {"/v1/token?scopes=bigquery", "scopes"},
       }) {
    auto r = parse(target);
    ASSERT_FALSE(r) << target;
    EXPECT_EQ(r.error().code, Errc::bad_request) << target;
    EXPECT_NE(r.error().message.find(names), std::string::npos)
        << target << ": " << r.error().message;
  }
}

TEST(ParseTokenQuery, MaxMinValidIsAccepted) {
  auto r = parse("/v1/token?min_valid=3000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->min_valid, 3000s);
}

}  // namespace
}  // namespace bqb
