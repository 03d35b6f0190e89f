// Statutory period arithmetic (Regulation (EEC, Euratom) No 1182/71,
// Art. 3, as REGULATION.md §1.8 reads it): when a period that starts with
// an event ends. Pure; thread-safe.
//
// - Days, weeks and months: the day of the event is not counted; the period
//   ends at the end of its last day (24:00, i.e. 00:00 of the next day). N
//   days from an event on day D end with day D+N; N weeks end with day
//   D+7N; N months end with the same-numbered day N months later, or that
//   month's last day when the number does not exist (31 Jan + 1 month ends
//   with 28 or 29 Feb).
// - Hours run from the instant of the event (GDPR Art. 33's 72 h does not
//   roll over).
// - Calendar days are counted in UTC. The roll-over of a period ending on a
//   weekend or public holiday to the next working day is not applied
//   (REGULATION.md leaves it [unverified] for the AI Act's day clocks;
//   holidays are national): deadlines are never later than the law's.
#pragma once

#include "absl/time/time.h"

#include "daemon/rules/catalog.h"

namespace aigov::rules {

// The instant a period of `count` `unit`s starting with an event at `event`
// ends. `unit` must not be kConfig (the caller resolves config periods to
// hours first). `count` <= 0 ends at `event`.
absl::Time PeriodEnd(absl::Time event, Period::Unit unit, int64_t count);

}  // namespace aigov::rules
