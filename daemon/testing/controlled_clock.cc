#include "daemon/testing/controlled_clock.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace aigov::testing {

void ServeClockCommands(common::FakeClock& clock, std::FILE* in,
                        std::FILE* out) {
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, in) != nullptr) {
    absl::string_view line = absl::StripAsciiWhitespace(buffer);
    std::string answer;
    int64_t seconds = 0;
    if (line == "now") {
      answer = absl::StrCat("now ", absl::ToUnixSeconds(clock.Now()));
    } else if (absl::ConsumePrefix(&line, "advance ") &&
               absl::SimpleAtoi(line, &seconds) && seconds >= 0) {
      clock.AdvanceAndSettle(absl::Seconds(seconds));
      answer = absl::StrCat("now ", absl::ToUnixSeconds(clock.Now()));
    } else {
      answer = "error expected \"now\" or \"advance SECONDS\" (SECONDS >= 0)";
    }
    std::fprintf(out, "%s\n", answer.c_str());
    std::fflush(out);
  }
}

}  // namespace aigov::testing
