// Stateless validation of monitoring writes (reference profiles, window
// profiles, performance samples, drift scores), done before an event is
// queued. What depends on the reference profile in force (a window's
// alignment, its features and bin counts) is checked in the sequencer
// (drift/drift_view.h). Every error is kInvalidArgument naming the field
// and, inside a profile, the feature:
//   reference_profile.features["income"].numeric.edges: not strictly
//   increasing (edges[2] = 1500 after edges[1] = 1800)
//
// Thread-compatible: pure functions.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "aigov/v1/monitoring.pb.h"
#include "aigov/v1/monitoring_service.pb.h"

namespace aigov::ingest {

// Most features in one profile, categories in one categorical feature and
// edges in one numeric feature.
inline constexpr int kMaxFeatures = 10000;
inline constexpr int kMaxCategories = 1000;
inline constexpr int kMaxEdges = 1000;
// Largest count in one bin of one report (2^48): merged windows cannot
// overflow before 2^16 such reports land in one bin.
inline constexpr uint64_t kMaxBinCount = uint64_t{1} << 48;
// Window lengths accepted by a reference profile.
inline constexpr absl::Duration kMinWindow = absl::Seconds(1);
inline constexpr absl::Duration kMaxWindow = absl::Hours(24 * 7);

// The path of a profile's feature, by name when it has a printable one:
// `reference_profile.features["income"]`, else by index.
std::string FeaturePath(absl::string_view path, int index,
                        absl::string_view name);

absl::Status ValidateDriftThresholds(const aigov::v1::DriftThresholds& t,
                                     absl::string_view path);
absl::Status ValidateReferenceProfile(const aigov::v1::ReferenceProfile& p,
                                      absl::string_view path);
absl::Status ValidateWindowProfile(const aigov::v1::WindowProfile& w,
                                   absl::string_view path, absl::Time now);
absl::Status ValidatePerformanceSample(const aigov::v1::PerformanceSample& s,
                                       absl::string_view path, absl::Time now);
absl::Status ValidateDriftScore(const aigov::v1::DriftScore& s,
                                absl::string_view path, absl::Time now);

absl::Status ValidatePutReferenceProfile(
    const aigov::v1::PutReferenceProfileRequest& request);
absl::Status ValidateReportWindow(
    const aigov::v1::ReportWindowsRequest& request, absl::Time now);
absl::Status ValidateReportPerformance(
    const aigov::v1::ReportPerformanceRequest& request, absl::Time now);
absl::Status ValidateReportDriftScore(
    const aigov::v1::ReportDriftScoreRequest& request, absl::Time now);

}  // namespace aigov::ingest
