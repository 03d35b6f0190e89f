#include "daemon/journal/sequencer.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#include "daemon/common/logging.h"
#include "daemon/kinds/kinds.h"

namespace aigov::journal {

Sequencer::Sequencer(RocksDbJournal& journal, const Options& options,
                     GroupObserver observer)
    : journal_(journal), options_(options), observer_(std::move(observer)) {
  thread_ = std::thread([this] { Run(); });
}

Sequencer::~Sequencer() { Stop(); }

absl::Status Sequencer::Submit(PendingEvent event, Callback done) {
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    return absl::UnavailableError("journal is shutting down; retry elsewhere");
  }
  if (queue_.size() >= options_.queue_capacity) {
    return absl::ResourceExhaustedError(
        absl::StrCat("ingest queue is full (", options_.queue_capacity,
                     " events waiting); retry with backoff"));
  }
  queue_.push_back(Item{std::move(event), std::move(done)});
  return absl::OkStatus();
}

absl::Status Sequencer::Tick(Callback done) {
  PendingEvent tick;
  tick.tick = true;
  return Submit(std::move(tick), std::move(done));
}

void Sequencer::BeginDrain() {
  absl::MutexLock lock(&mu_);
  draining_ = true;
}

void Sequencer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    draining_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

size_t Sequencer::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void Sequencer::Run() {
  std::vector<Item> group;
  std::vector<PendingEvent> events;
  std::vector<AppendOutcome> outcomes;
  for (;;) {
    group.clear();
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() || stopping_;
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty() && stopping_) return;
      if (options_.max_batch_delay > absl::ZeroDuration()) {
        auto full = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return queue_.size() >= options_.max_batch_events || stopping_ ||
                 draining_;
        };
        mu_.AwaitWithTimeout(absl::Condition(&full), options_.max_batch_delay);
      }
      const size_t n = std::min(queue_.size(), options_.max_batch_events);
      for (size_t i = 0; i < n; ++i) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }

    events.clear();
    events.reserve(group.size());
    std::vector<aigov::v1::EventKind> kinds_in(
        group.size(), aigov::v1::EVENT_KIND_UNSPECIFIED);
    for (size_t i = 0; i < group.size(); ++i) {
      if (!group[i].event.tick) {
        kinds_in[i] = kinds::EventKindOf(group[i].event.entry);
      }
      events.push_back(std::move(group[i].event));
    }
    const absl::Time start = absl::Now();
    const absl::Status status =
        journal_.AppendGroup(std::move(events), &outcomes);
    events.clear();
    const absl::Duration elapsed = absl::Now() - start;
    if (observer_) {
      GroupWrite write;
      write.events = group.size();
      write.tree_size = journal_.tree_size();
      write.elapsed = elapsed;
      write.ok = status.ok();
      for (size_t i = 0; status.ok() && i < outcomes.size(); ++i) {
        const AppendOutcome& o = outcomes[i];
        if (!o.status.ok()) continue;
        if (!o.deduplicated &&
            kinds_in[i] != aigov::v1::EVENT_KIND_UNSPECIFIED) {
          write.requested.push_back(kinds_in[i]);
        }
        for (const AppendOutcome::Derived& d : o.derived) {
          if (d.sequenced) write.derived.push_back(d.kind);
        }
      }
      observer_(write);
    }
    if (!status.ok()) {
      common::Log(common::LogLevel::kError, "journal group write failed",
                  {{"events", static_cast<uint64_t>(group.size())},
                   {"error", status.ToString()}});
      AppendOutcome failed;
      failed.status = status;
      for (Item& item : group) item.done(failed);
    } else {
      for (size_t i = 0; i < group.size(); ++i) group[i].done(outcomes[i]);
    }
  }
}

}  // namespace aigov::journal
