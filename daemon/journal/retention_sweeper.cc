#include "daemon/journal/retention_sweeper.h"

#include "daemon/common/logging.h"

namespace aigov::journal {

RetentionSweeper::RetentionSweeper(RocksDbJournal& journal,
                                   const common::Clock& clock,
                                   const RetentionPolicy& policy,
                                   absl::Duration interval)
    : journal_(journal), clock_(clock), policy_(policy), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

RetentionSweeper::~RetentionSweeper() { Stop(); }

void RetentionSweeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void RetentionSweeper::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (clock_.AwaitUntil(mu_, absl::Condition(&stopping_),
                            clock_.Now() + interval_)) {
        return;
      }
    }
    auto pruned = journal_.Prune(clock_.Now(), policy_);
    if (!pruned.ok()) {
      common::Log(common::LogLevel::kError, "retention sweep failed",
                  {{"error", pruned.status().ToString()}});
    } else if (*pruned > 0) {
      common::Log(common::LogLevel::kInfo, "retention pruned entry payloads",
                  {{"entries", *pruned}});
    }
  }
}

}  // namespace aigov::journal
