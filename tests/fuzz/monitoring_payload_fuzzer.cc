// Bytes → a MonitoringService write payload (first byte picks which), as
// gRPC hands it to aigovd → its validator; a valid reference profile's
// features are then scored (monitoring::Score) against themselves and
// against a window of the first byte's counts, and stepped through the state
// machine. Must never crash, trap or read out of bounds: the validators are
// what stands between client bytes and the statistics' shape assumptions.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

#include "daemon/ingest/monitoring_validator.h"
#include "daemon/monitoring/drift_state.h"
#include "daemon/monitoring/drift_stats.h"

namespace {

void ScoreReference(const aigov::v1::ReferenceProfile& p, uint8_t fill) {
  for (const aigov::v1::ReferenceFeature& f : p.features()) {
    const auto& counts =
        f.has_numeric() ? f.numeric().counts() : f.categorical().counts();
    std::vector<uint64_t> reference(counts.begin(), counts.end());
    std::vector<uint64_t> window(reference.size(), fill);
    std::vector<double> edges;
    if (f.has_numeric()) {
      edges.assign(f.numeric().edges().begin(), f.numeric().edges().end());
    }
    aigov::monitoring::FeatureCounts c;
    c.type = f.has_numeric() ? aigov::monitoring::FeatureType::kNumeric
                             : aigov::monitoring::FeatureType::kCategorical;
    c.edges = edges;
    c.reference = reference;
    c.window = window;
    c.reference_nulls = f.null_count();
    c.window_nulls = fill;
    c.reference_std = f.has_numeric() ? f.numeric().std() : 0;
    for (const bool self : {true, false}) {
      if (self) c.window = reference;
      const aigov::monitoring::DriftScores s = aigov::monitoring::Score(c);
      if (s.psi < 0 || s.ks < 0 || s.ks > 1 + 1e-9) __builtin_trap();
      aigov::monitoring::Step({}, {}, s.n, s.psi, s.psi_p_value, 0);
      c.window = window;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const absl::Time now = absl::FromUnixSeconds(1795000000);
  switch (data[0] % 4) {
    case 0: {
      aigov::v1::PutReferenceProfileRequest r;
      if (!r.ParseFromString(bytes)) return 0;
      if (aigov::ingest::ValidatePutReferenceProfile(r).ok()) {
        ScoreReference(r.reference_profile(), data[0]);
      }
      break;
    }
    case 1: {
      aigov::v1::ReportWindowsRequest r;
      if (r.ParseFromString(bytes)) {
        (void)aigov::ingest::ValidateReportWindow(r, now);
      }
      break;
    }
    case 2: {
      aigov::v1::ReportPerformanceRequest r;
      if (r.ParseFromString(bytes)) {
        (void)aigov::ingest::ValidateReportPerformance(r, now);
      }
      break;
    }
    default: {
      aigov::v1::ReportDriftScoreRequest r;
      if (r.ParseFromString(bytes)) {
        (void)aigov::ingest::ValidateReportDriftScore(r, now);
      }
      break;
    }
  }
  return 0;
}
