#include "daemon/rules/period.h"

#include "absl/time/civil_time.h"

namespace aigov::rules {
namespace {

// The last day of the month `month` (any day of it).
absl::CivilDay LastDayOf(absl::CivilMonth month) {
  return absl::CivilDay(month + 1) - 1;
}

}  // namespace

absl::Time PeriodEnd(absl::Time event, Period::Unit unit, int64_t count) {
  if (count <= 0) return event;
  const absl::CivilDay day = absl::ToCivilDay(event, absl::UTCTimeZone());
  absl::CivilDay last = day;
  switch (unit) {
    case Period::Unit::kHours:
    case Period::Unit::kConfig:
      return event + absl::Hours(count);
    case Period::Unit::kDays:
      last = day + count;
      break;
    case Period::Unit::kWeeks:
      last = day + 7 * count;
      break;
    case Period::Unit::kMonths: {
      const absl::CivilMonth month = absl::CivilMonth(day) + count;
      const absl::CivilDay same(month.year(), month.month(), day.day());
      // CivilDay normalises 30 Feb to 2 Mar: clamp to the month's end.
      last = absl::CivilMonth(same) == month ? same : LastDayOf(month);
      break;
    }
  }
  return absl::FromCivil(last + 1, absl::UTCTimeZone());
}

}  // namespace aigov::rules
