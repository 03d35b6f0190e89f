#include "daemon/common/suggest.h"

#include "gtest/gtest.h"

namespace aigov::common {
namespace {

TEST(SuggestTest, EditDistanceCountsEditsWithoutCase) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("ROPA", "ropa"), 0u);
}

TEST(SuggestTest, ClosestIsATypoAwayOrNothing) {
  const std::vector<std::string> fields = {"retention_days", "lawful_basis",
                                           "personal_data"};
  EXPECT_EQ(Closest("retention_dys", fields), "retention_days");
  EXPECT_EQ(Closest("lawfull_basis", fields), "lawful_basis");
  EXPECT_EQ(Closest("colour", fields), "");
  // Short words tolerate fewer edits: "ab" is not a typo of "xy".
  EXPECT_EQ(Closest("ab", {"xy", "abc"}), "abc");
  EXPECT_EQ(Closest("ab", {"xy"}), "");
  EXPECT_EQ(DidYouMean("retrain", {"retrain"}), " (did you mean \"retrain\"?)");
  EXPECT_EQ(DidYouMean("zzz", {"retrain"}), "");
}

}  // namespace
}  // namespace aigov::common
