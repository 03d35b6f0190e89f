#include "daemon/monitoring/binning.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::monitoring {
namespace {

using ::testing::ElementsAre;

TEST(BinningTest, EdgesAreMinimumDecilesAndJustAboveMaximum) {
  std::vector<double> v;
  for (int i = 0; i < 100; ++i) v.push_back(i);
  const std::vector<double> edges = NumericEdges(v);
  ASSERT_EQ(edges.size(), 11u);
  EXPECT_EQ(edges[0], 0);
  EXPECT_EQ(edges[1], 10);
  EXPECT_EQ(edges[9], 90);
  EXPECT_GT(edges[10], 99);
  EXPECT_EQ(edges[10], std::nextafter(99.0, 100.0));
  // The reference itself is never out of range.
  EXPECT_EQ(NumericBin(edges, 0), 1u);
  EXPECT_EQ(NumericBin(edges, 99), 10u);
  EXPECT_EQ(NumericBin(edges, -0.5), 0u);
  EXPECT_EQ(NumericBin(edges, 99.5), 11u);
  EXPECT_EQ(NumericBin(edges, -std::numeric_limits<double>::infinity()), 0u);
  EXPECT_EQ(NumericBin(edges, std::numeric_limits<double>::infinity()), 11u);
}

TEST(BinningTest, RepeatedValuesCollapseEdges) {
  EXPECT_THAT(NumericEdges(std::vector<double>{5, 5, 5}),
              ElementsAre(5, std::nextafter(5.0, 6.0)));
  EXPECT_THAT(NumericEdges({}), ElementsAre(0));
  const double max = std::numeric_limits<double>::max();
  EXPECT_THAT(NumericEdges(std::vector<double>{max}), ElementsAre(max));
}

TEST(BinningTest, TopCategoriesByCountThenBytes) {
  const std::vector<std::string> v = {"b", "a", "c", "b", "a", "d", "e", "e"};
  const CategoricalReference ref = TopCategories(v, 3);
  EXPECT_THAT(ref.categories, ElementsAre("a", "b", "e"));
  EXPECT_THAT(ref.counts, ElementsAre(2, 2, 2, 2, 0));
  EXPECT_EQ(ref.BinOf("b"), 1u);
  EXPECT_EQ(ref.BinOf("d"), 3u);  // other
  EXPECT_EQ(ref.BinOf("z"), 4u);  // unseen
}

TEST(BinningTest, Cells) {
  for (const char* c :
       {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"}) {
    EXPECT_TRUE(IsNullCell(c)) << c;
  }
  EXPECT_FALSE(IsNullCell("0"));
  for (const char* c :
       {"1", "-1.5", "+.5", "1.", "2e10", "1E-3", "inf", "-Inf", "+INF"}) {
    EXPECT_TRUE(IsNumberCell(c)) << c;
  }
  for (const char* c : {".", "e5", "1e", "1.2.3", " 1", "0x10", "infinity",
                        "nan", "1_000", "--1"}) {
    EXPECT_FALSE(IsNumberCell(c)) << c;
  }
  EXPECT_DOUBLE_EQ(StandardDeviation(std::vector<double>{1, 3}), 1);
  EXPECT_DOUBLE_EQ(StandardDeviation(std::vector<double>{1e308, -1e308}),
                   1e308);
}

}  // namespace
}  // namespace aigov::monitoring
