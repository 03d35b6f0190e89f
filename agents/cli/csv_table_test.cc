#include "agents/cli/csv_table.h"

#include <cmath>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CsvTableTest, TypesColumnsAndReadsQuotes) {
  const auto cols = ParseCsv(
      "income,region,zip\r\n1.5,\"North, \"\"upper\"\"\",75001\n\nNA,South,"
      "\n-inf,\"multi\nline\",01000\n",
      "a.csv", {"zip"});
  ASSERT_TRUE(cols.ok()) << cols.status();
  ASSERT_EQ(cols->size(), 3u);
  EXPECT_TRUE((*cols)[0].numeric);
  ASSERT_EQ((*cols)[0].numbers.size(), 3u);
  EXPECT_EQ((*cols)[0].numbers[0], 1.5);
  EXPECT_TRUE(std::isnan((*cols)[0].numbers[1]));
  EXPECT_TRUE(std::isinf((*cols)[0].numbers[2]));
  EXPECT_FALSE((*cols)[1].numeric);
  EXPECT_THAT((*cols)[1].texts,
              ElementsAre("North, \"upper\"", "South", "multi\nline"));
  EXPECT_FALSE((*cols)[2].numeric);  // forced
  EXPECT_EQ((*cols)[2].texts[1], std::nullopt);
  EXPECT_EQ((*cols)[2].texts[2], "01000");
}

TEST(CsvTableTest, ErrorsNameTheLine) {
  EXPECT_THAT(ParseCsv("a,b\n1,2\n3\n", "f.csv", {}).status().message(),
              HasSubstr("f.csv:3: 1 fields, the header has 2"));
  EXPECT_THAT(ParseCsv("a\n\"open\n", "f.csv", {}).status().message(),
              HasSubstr("f.csv:2: unterminated quoted field"));
  EXPECT_THAT(ParseCsv("a\nx\"y\n", "f.csv", {}).status().message(),
              HasSubstr("f.csv:2: a quote inside an unquoted field"));
  EXPECT_THAT(ParseCsv("", "f.csv", {}).status().message(),
              HasSubstr("empty file"));
}

}  // namespace
}  // namespace aigov::cli
