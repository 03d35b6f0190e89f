#include "daemon/common/random.h"

#include "gtest/gtest.h"

namespace aigov::common {
namespace {

TEST(RandomBytesTest, GivesTheLengthAskedAndDiffersBetweenCalls) {
  const std::string a = RandomBytes(16);
  const std::string b = RandomBytes(16);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(RandomBytes(0).size(), 0u);
  // 2^-128 chance of a false failure.
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace aigov::common
