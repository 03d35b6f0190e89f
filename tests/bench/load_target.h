// What the load benchmarks (ingest_load, report_windows_load) share: the
// aigovd they load (a fresh one of this build or another, or one already
// running) and latency percentiles. Not thread-safe.
#pragma once

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/daemon_process.h"

namespace aigov::bench {

// The aigovd under load. Start() runs a fresh one on a temporary data
// directory (this build's, or `aigovd` when set) unless `target` names one
// already running; Stop() stops only what Start() started.
class LoadTarget {
 public:
  // Returns false (and says why on stderr, prefixed by `tool`) when a fresh
  // aigovd did not start.
  bool Start(const std::string& tool, const std::string& aigovd,
             const std::string& target) {
    tool_ = tool;
    target_ = target;
    if (!target_.empty()) return true;
    dir_ = std::make_unique<testing::TempDir>();
    daemon_ = std::make_unique<testing::DaemonProcess>(dir_->path() + "/data");
    if (!aigovd.empty()) daemon_->UseBinary(aigovd);
    if (!daemon_->Start()) {
      std::fprintf(stderr, "%s: aigovd did not start:\n%s\n", tool_.c_str(),
                   daemon_->log().c_str());
      return false;
    }
    target_ = daemon_->grpc_target();
    return true;
  }

  // Stops a fresh aigovd with SIGTERM; false (said on stderr) when it did
  // not stop cleanly.
  bool Stop() {
    if (daemon_ == nullptr || daemon_->Stop(SIGTERM) == 0) return true;
    std::fprintf(stderr, "%s: aigovd did not stop cleanly:\n%s\n",
                 tool_.c_str(), daemon_->log().c_str());
    return false;
  }

  const std::string& target() const { return target_; }

 private:
  std::string tool_;
  std::string target_;
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<testing::DaemonProcess> daemon_;
};

// The p-quantile (0..1) of ascending `sorted`; 0 when empty.
inline double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i =
      std::min(sorted.size() - 1,
               static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return sorted[i];
}

}  // namespace aigov::bench
