#include "daemon/common/logging.h"

#include "gtest/gtest.h"

namespace aigov::common {
namespace {

TEST(LoggingTest, FormatsOneJsonObjectWithFieldsInOrder) {
  const std::string line =
      FormatLogLine(1700000000123456, LogLevel::kWarning, "queue \"full\"",
                    {{"capacity", 10}, {"path", "a\nb"}, {"ok", false}});
  EXPECT_EQ(line,
            "{\"ts\":\"2023-11-14T22:13:20.123456Z\",\"level\":\"warning\","
            "\"msg\":\"queue \\\"full\\\"\",\"capacity\":10,"
            "\"path\":\"a\\nb\",\"ok\":false}");
}

TEST(LoggingTest, EscapesControlCharacters) {
  EXPECT_EQ(JsonQuote(std::string("a\x01z", 3)), "\"a\\u0001z\"");
}

TEST(LoggingTest, ParsesLevels) {
  LogLevel level = LogLevel::kInfo;
  EXPECT_TRUE(ParseLogLevel("DEBUG", &level));
  EXPECT_EQ(level, LogLevel::kDebug);
  EXPECT_TRUE(ParseLogLevel("error", &level));
  EXPECT_EQ(level, LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("loud", &level));
}

}  // namespace
}  // namespace aigov::common
