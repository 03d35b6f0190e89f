// The lineage view: a directed graph from upstream to downstream over
// dataset versions, model versions and deployments, projected from the
// journal into the column family "lineage" (DESIGN.md "one journal, many
// projections").
//
// Edges come from run events (each input to the run's node, the run's node
// to each output, as OpenLineage models a run: a run costs its inputs plus
// its outputs, not their product), from DatasetVersion.parents, from
// ModelVersion training and evaluation datasets, and from a deployment's
// current model version. Walks pass through run nodes and report an edge
// input → output named by the run. Edges a record defines are replaced when
// the record changes; run edges accumulate. A run is the same whatever order
// its events arrive in (times from the events, inputs and outputs sorted).
// Check refuses an event whose runId is already a run of another job.
//
// Keys (nodes encode as a type byte 'd', 'm', 'p' or 'r' (a run), the id,
// '\0', the version, '\0' — self-delimiting, since ids never hold '\0'):
//   'F' node(from) relation node(to) → run id    (forward edges)
//   'B' node(to) relation node(from) → run id    (backward edges)
//   'R' run_id                       → LineageRun
//   'O' run_id                       → job namespace (runs not finished)
//
// Thread-safety: Apply runs on the sequencer thread only; the queries may run
// on any thread (they read committed state through RocksDB).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "aigov/v1/lineage_service.pb.h"
#include "daemon/journal/projection.h"

namespace aigov::lineage {

inline constexpr char kLineageFamily[] = "lineage";

// The key encoding of a node (see above).
std::string NodeKey(const aigov::v1::LineageNode& node);

aigov::v1::LineageNode DatasetNode(const aigov::v1::DatasetRef& ref);
aigov::v1::LineageNode ModelNode(const aigov::v1::ModelVersionRef& ref);
aigov::v1::LineageNode DeploymentNode(absl::string_view deployment_id);

// The nodes and edges reached by a walk, in the order first reached.
struct Walk {
  std::vector<aigov::v1::LineageNode> nodes;
  std::vector<aigov::v1::LineageEdge> edges;
};

class LineageProjection final : public journal::Projection {
 public:
  // 1: the layout described above.
  uint32_t version() const override { return 1; }
  std::string column_family() const override { return kLineageFamily; }
  absl::Status Attach(rocksdb::DB* db,
                      rocksdb::ColumnFamilyHandle* family) override;
  // A run event whose run_id is already a run of another job (stored, or
  // admitted earlier in this group): kFailedPrecondition naming both jobs.
  absl::Status Check(const aigov::v1::JournalEntry& entry) override;
  void Admitted(const aigov::v1::JournalEntry& entry) override;
  void EndGroup() override { group_jobs_.clear(); }

  absl::Status Apply(absl::Span<const journal::SequencedEntry> entries,
                     rocksdb::ColumnFamilyHandle* family,
                     rocksdb::WriteBatch* batch) override;

  // Every node reachable from `start` following edges downstream (or
  // upstream), excluding `start`, with every edge walked.
  absl::StatusOr<Walk> Downstream(const aigov::v1::LineageNode& start) const;
  absl::StatusOr<Walk> Upstream(const aigov::v1::LineageNode& start) const;

  // True when some edge touches `node`.
  absl::StatusOr<bool> HasNode(const aigov::v1::LineageNode& node) const;

  absl::StatusOr<std::optional<aigov::v1::LineageRun>> GetRun(
      absl::string_view run_id) const;

  struct RunPage {
    std::vector<aigov::v1::LineageRun> runs;
    std::string next_run_id;  // empty when there are no more
  };
  // Runs in run_id order from `start_run_id`, at most `page_size`.
  absl::StatusOr<RunPage> ListRuns(bool unfinished_only,
                                   const std::string& start_run_id,
                                   size_t page_size) const;

  // Runs not finished, by job namespace (aigov_lineage_runs_open).
  absl::StatusOr<std::map<std::string, uint64_t>> CountUnfinishedRuns() const;

 private:
  absl::StatusOr<Walk> Traverse(const aigov::v1::LineageNode& start,
                                bool downstream) const;

  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* family_ = nullptr;
  // run_id → "namespace/name" of runs admitted in the current group
  // (sequencer thread only).
  std::map<std::string, std::string> group_jobs_;
};

}  // namespace aigov::lineage
