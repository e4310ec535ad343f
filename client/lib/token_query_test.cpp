#include "client/lib/token_query.h"

#include <gtest/gtest.h>

namespace bqb::client {
namespace {

TEST(TokenQueryString, WithoutFlagsIsEmpty) { EXPECT_EQ(token_query_string({}), ""); }

TEST(TokenQueryString, EncodesEveryReservedCharacter) {
  TokenQuery q;
  q.account = "a&b=c#d%e f+g@h";
  q.min_valid = 0;
  EXPECT_EQ(token_query_string(q), "?account=a%26b%3Dc%23d%25e%20f%2Bg%40h&min_valid=0");
}

TEST(TokenQueryString, KeepsScopesInTheirOrderWithoutAnAccount) {
  TokenQuery q;
  q.scopes = {"cloud-platform", "bigquery"};
  EXPECT_EQ(token_query_string(q), "?scope=cloud-platform&scope=bigquery");
}

}  // namespace
}  // namespace bqb::client
