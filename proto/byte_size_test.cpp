#include "proto/byte_size.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

TEST(ByteSize, BinaryUnitsWithOneDecimal) {
  EXPECT_EQ(byte_size_text(0), "0 B");
  EXPECT_EQ(byte_size_text(1023), "1023 B");
  EXPECT_EQ(byte_size_text(1024), "1.0 KiB");
  EXPECT_EQ(byte_size_text(1536), "1.5 KiB");
  EXPECT_EQ(byte_size_text(10 * 1024 * 1024), "10.0 MiB");
  EXPECT_EQ(byte_size_text(std::int64_t{3} << 40), "3.0 TiB");
}

}  // namespace
}  // namespace bqb
