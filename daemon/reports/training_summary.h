// The AI Act Art. 53(1)(d) public summary of the content used to train a
// general-purpose model version (aigov.v1.TrainingDataSummary), in the
// structure of the Commission's template (shared/REGULATION.md §1.9):
//   1 General information: provider, model version and what it descends
//     from, when it was placed on the market, modalities, latest
//     collection date;
//   2 List of data sources: 2.1 public datasets, 2.2.1 licensed private
//     data, 2.2.2 other private data, 2.3 crawled data, 2.4 user data,
//     2.5 synthetic data, 2.6 other, each answered yes or no with the
//     sources;
//   3 Data processing aspects: text-and-data-mining opt-outs, personal
//     data and how it was treated.
//
// The sources are the source datasets upstream of the version in the
// lineage graph (lineage::Provenance), each read from the registry with
// its source_category; a source without one is listed as not classified,
// a gap. Every dataset it names cites the entry that registered it.
//
// Thread-safe: reads committed state only.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "aigov/v1/report.pb.h"
#include "daemon/reports/document.h"
#include "daemon/reports/report_builder.h"

namespace aigov::reports {

// The template's section titles, in order.
inline constexpr const char* kTrainingSummarySections[] = {
    "General information",
    "List of data sources",
    "Data processing aspects",
};

// The summary of `model_version` from the views, without its checkpoint
// (ReportBuilder::TrainingSummary adds it). kNotFound when the version is
// not registered.
absl::StatusOr<aigov::v1::TrainingDataSummary> BuildTrainingSummary(
    const Sources& sources, const aigov::v1::ModelVersionRef& model_version,
    absl::Time now);

Document TrainingSummaryDocument(const aigov::v1::TrainingDataSummary& s);

}  // namespace aigov::reports
