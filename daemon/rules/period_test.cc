#include "daemon/rules/period.h"

#include "gtest/gtest.h"

namespace aigov::rules {
namespace {

absl::Time At(int y, int m, int d, int h = 0, int min = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, min, 0),
                         absl::UTCTimeZone());
}

TEST(PeriodTest, DaysLeaveOutTheDayOfTheEventAndEndAtMidnight) {
  // Aware on 3 Mar at 15:20: 15 days end with 18 Mar.
  EXPECT_EQ(PeriodEnd(At(2027, 3, 3, 15, 20), Period::Unit::kDays, 15),
            At(2027, 3, 19));
  // An event at 00:00 still leaves its own day out.
  EXPECT_EQ(PeriodEnd(At(2027, 3, 3), Period::Unit::kDays, 2), At(2027, 3, 6));
  // Across a month and a year end.
  EXPECT_EQ(PeriodEnd(At(2027, 12, 25, 9), Period::Unit::kDays, 10),
            At(2028, 1, 5));
}

TEST(PeriodTest, WeeksAreSevenDays) {
  EXPECT_EQ(PeriodEnd(At(2027, 3, 3, 8), Period::Unit::kWeeks, 2),
            At(2027, 3, 18));
}

TEST(PeriodTest, MonthsEndOnTheSameNumberedDayOrTheMonthsLast) {
  EXPECT_EQ(PeriodEnd(At(2027, 1, 15, 10), Period::Unit::kMonths, 1),
            At(2027, 2, 16));
  // 31 Jan + 1 month: February has no 31st, so it ends with 28 Feb (29 in a
  // leap year).
  EXPECT_EQ(PeriodEnd(At(2027, 1, 31, 10), Period::Unit::kMonths, 1),
            At(2027, 3, 1));
  EXPECT_EQ(PeriodEnd(At(2028, 1, 31, 10), Period::Unit::kMonths, 1),
            At(2028, 3, 1));
  // 31 Jan + 3 months (one, extended by two): 30 Apr.
  EXPECT_EQ(PeriodEnd(At(2027, 1, 31, 10), Period::Unit::kMonths, 3),
            At(2027, 5, 1));
  EXPECT_EQ(PeriodEnd(At(2027, 11, 30), Period::Unit::kMonths, 3),
            At(2028, 3, 1));
}

TEST(PeriodTest, HoursRunFromTheInstant) {
  EXPECT_EQ(PeriodEnd(At(2027, 3, 3, 15, 20), Period::Unit::kHours, 72),
            At(2027, 3, 6, 15, 20));
}

TEST(PeriodTest, ANonPositiveCountEndsAtTheEvent) {
  EXPECT_EQ(PeriodEnd(At(2027, 3, 3, 15), Period::Unit::kDays, 0),
            At(2027, 3, 3, 15));
}

}  // namespace
}  // namespace aigov::rules
