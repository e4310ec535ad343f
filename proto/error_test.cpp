#include "proto/error.h"

#include <set>

#include <gtest/gtest.h>

#include "proto/api.h"

namespace bqb {
namespace {

// Every code up to `internal` (the last enumerator) must have its own table row: a missing row
// would fall back to "internal" and two codes would share a wire name.
TEST(Errc, EveryCodeHasAUniqueWireNameThatRoundTrips) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(Errc::internal); ++i) {
    auto code = static_cast<Errc>(i);
    auto name = to_string(code);
    EXPECT_TRUE(names.insert(name).second) << "duplicate wire name " << name;
    EXPECT_EQ(errc_from_string(name), code) << name;
    EXPECT_GE(http_status(code), 400);
    EXPECT_LT(http_status(code), 600);
  }
  EXPECT_EQ(errc_from_string("no_such_code"), std::nullopt);
}

TEST(Errc, StatusesMatchTheApi) {
  EXPECT_EQ(http_status(Errc::header_too_large), 431);
  EXPECT_EQ(http_status(Errc::payload_too_large), 413);
  EXPECT_EQ(http_status(Errc::method_not_allowed), 405);
  EXPECT_EQ(http_status(Errc::forbidden), 403);
  EXPECT_EQ(http_status(Errc::needs_login), 401);
}

TEST(ErrorBody, RoundTripsWithAndWithoutHint) {
  Error with{Errc::needs_login, "account a@b.c needs a new login", "run: bqbroker login"};
  auto body = api::error_body(with);
  EXPECT_EQ(body["error"]["code"], "needs_login");
  EXPECT_EQ(api::parse_error_body(body).value(), with);

  Error without{Errc::not_found, "no route GET /v1/nope", ""};
  body = api::error_body(without);
  EXPECT_FALSE(body["error"].contains("hint"));
  EXPECT_EQ(api::parse_error_body(body).value(), without);
}

TEST(ErrorBody, RejectsBodiesThatAreNotErrors) {
  EXPECT_FALSE(api::parse_error_body(nlohmann::json::array()).has_value());
  EXPECT_FALSE(api::parse_error_body(nlohmann::json{{"error", "text"}}).has_value());
  auto r = api::parse_error_body(nlohmann::json{{"error", {{"code", "x"}}}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("'message'"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace bqb
