// Test-only: the clock of `aigovd-controlled-clock`, a build of aigovd whose
// time moves only when a test says so (Envoy's SimulatedTimeSystem, for a
// whole process). Compliance deadlines, retention and checkpoints can then
// be tested across months of the daemon's time in milliseconds of the
// test's, against the real aigovd, with no sleeps.
//
// It cannot be switched on in a production build: this library and the
// `aigovd-controlled-clock` target exist only when tests are built
// (AIGOV_BUILD_TESTS), and `aigovd` itself is compiled without
// AIGOV_CONTROLLED_CLOCK, so it has no such code and no such flag.
//
// Protocol, one command per line on `in`, one answer per line on `out`:
//   now                 -> "now UNIX_SECONDS"
//   advance SECONDS     -> "now UNIX_SECONDS" once every periodic component
//                          the move made due has done its round
//                          (FakeClock::AdvanceAndSettle)
//   anything else       -> "error ..." (the clock is unchanged)
// The drain delay at shutdown (server.drain_delay) runs on this clock too:
// with a delay configured, shutdown ends only once the test advances past it.
#pragma once

#include <cstdio>

#include "daemon/common/clock.h"

namespace aigov::testing {

// Serves the protocol above until `in` ends. `clock` must outlive the call.
void ServeClockCommands(common::FakeClock& clock, std::FILE* in,
                        std::FILE* out);

}  // namespace aigov::testing
