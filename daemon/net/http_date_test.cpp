#include "daemon/net/http_date.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

// Wed, 21 Oct 2015 07:28:00 GMT = 1445412480.
constexpr std::int64_t kAt = 1445412480;
constexpr std::string_view kDate = "Wed, 21 Oct 2015 07:28:00 GMT";

system_clock::time_point at(std::int64_t unix_seconds) {
  return system_clock::time_point(std::chrono::seconds(unix_seconds));
}

TEST(ParseHttpDate, ImfFixdate) {
  EXPECT_EQ(parse_http_date(kDate), kAt);
  EXPECT_EQ(parse_http_date(" Wed, 21 Oct 2015 07:28:00 GMT\t"), kAt);
}

TEST(ParseHttpDate, RefusesOtherForms) {
  EXPECT_EQ(parse_http_date(""), std::nullopt);
  EXPECT_EQ(parse_http_date("120"), std::nullopt);
  EXPECT_EQ(parse_http_date("Wed, 21 Oct 2015 07:28:00"), std::nullopt);          // no zone
  EXPECT_EQ(parse_http_date("Wednesday, 21-Oct-15 07:28:00 GMT"), std::nullopt);  // RFC 850
  EXPECT_EQ(parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT junk"), std::nullopt);
}

TEST(ClockSkew, InStepWhenTheDateFallsInTheRoundTrip) {
  // Sent at .2 s, read at .8 s: the server's second [kAt, kAt+1) is centred on ours.
  EXPECT_EQ(clock_skew_seconds(kDate, at(kAt) + 200ms, at(kAt) + 800ms), 0);
}

TEST(ClockSkew, SignSaysWhoIsAhead) {
  // Our clock is ten minutes ahead of the server's: the skew is negative.
  EXPECT_EQ(clock_skew_seconds(kDate, at(kAt + 600), at(kAt + 601)), -600);
  // Ten minutes behind: positive.
  EXPECT_EQ(clock_skew_seconds(kDate, at(kAt - 600), at(kAt - 599)), 600);
}

TEST(ClockSkew, UnparseableDateIsUnknown) {
  EXPECT_EQ(clock_skew_seconds("yesterday", at(kAt), at(kAt)), std::nullopt);
}

}  // namespace
}  // namespace bqb
