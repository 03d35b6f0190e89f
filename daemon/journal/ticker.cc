#include "daemon/journal/ticker.h"

#include "daemon/common/logging.h"

namespace aigov::journal {

Ticker::Ticker(Sequencer& sequencer, const common::Clock& clock,
               absl::Duration interval)
    : sequencer_(sequencer), clock_(clock), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

Ticker::~Ticker() { Stop(); }

void Ticker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Ticker::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (clock_.AwaitUntil(mu_, absl::Condition(&stopping_),
                            clock_.Now() + interval_)) {
        return;
      }
    }
    const absl::Status queued =
        sequencer_.Tick([](const AppendOutcome& outcome) {
          if (!outcome.status.ok()) {
            common::Log(common::LogLevel::kError,
                        "what the time entails was refused",
                        {{"error", outcome.status.ToString()}});
          } else if (!outcome.derived.empty()) {
            common::Log(common::LogLevel::kDebug, "tick derived entries",
                        {{"entries", outcome.derived.size()}});
          }
        });
    if (!queued.ok()) {
      common::Log(common::LogLevel::kWarning, "tick not queued",
                  {{"error", queued.ToString()}});
    }
  }
}

}  // namespace aigov::journal
