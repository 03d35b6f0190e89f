#include "daemon/lineage/lineage_queries.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/status_macros.h"

namespace aigov::lineage {
namespace {

using aigov::v1::DatasetRef;
using aigov::v1::DatasetSummary;
using aigov::v1::DeploymentSummary;
using aigov::v1::LineageNode;
using aigov::v1::ModelVersionRef;

absl::StatusOr<std::optional<aigov::v1::RegistryRecord>> Lookup(
    const registry::RegistryProjection& registry, aigov::v1::EventKind kind,
    const std::string& id, const std::string& version) {
  AIGOV_ASSIGN_OR_RETURN(const std::string key,
                         registry::RecordKey(kind, id, version));
  return registry.Get(key);
}

absl::StatusOr<DatasetSummary> SummaryOf(
    const registry::RegistryProjection& registry, const DatasetRef& ref) {
  DatasetSummary out;
  *out.mutable_dataset() = ref;
  AIGOV_ASSIGN_OR_RETURN(const auto record,
                         Lookup(registry, aigov::v1::EVENT_KIND_DATASET_VERSION,
                                ref.dataset_id(), ref.version()));
  if (!record) return out;
  const aigov::v1::DatasetVersion& d = record->dataset_version();
  out.set_registered(!record->unregistered());
  out.set_declared_by_lineage(d.declared_by_lineage());
  out.set_licence(d.licence());
  out.set_copyright_status(d.copyright_status());
  out.set_contains_personal_data(d.contains_personal_data());
  *out.mutable_special_categories() = d.special_categories();
  out.set_anonymisation(d.anonymisation());
  return out;
}

absl::StatusOr<DeploymentSummary> DeploymentOf(
    const registry::RegistryProjection& registry, const std::string& id) {
  DeploymentSummary out;
  out.set_deployment_id(id);
  AIGOV_ASSIGN_OR_RETURN(
      const auto record,
      Lookup(registry, aigov::v1::EVENT_KIND_DEPLOYMENT, id, ""));
  if (!record) return out;
  *out.mutable_model_version() = record->deployment().model_version();
  out.set_environment(record->deployment().environment());
  out.set_state(record->deployment().state());
  return out;
}

bool DatasetLess(const DatasetSummary& a, const DatasetSummary& b) {
  return std::tie(a.dataset().dataset_id(), a.dataset().version()) <
         std::tie(b.dataset().dataset_id(), b.dataset().version());
}
bool ModelLess(const ModelVersionRef& a, const ModelVersionRef& b) {
  return std::tie(a.model_id(), a.version()) <
         std::tie(b.model_id(), b.version());
}

// Sorted parts of a walk's nodes.
struct Sorted {
  std::vector<DatasetSummary> datasets;
  std::vector<ModelVersionRef> models;
  std::vector<DeploymentSummary> deployments;
};

absl::StatusOr<Sorted> Sort(const registry::RegistryProjection& registry,
                            const std::vector<LineageNode>& nodes) {
  Sorted out;
  for (const LineageNode& n : nodes) {
    switch (n.node_case()) {
      case LineageNode::kDataset: {
        AIGOV_ASSIGN_OR_RETURN(DatasetSummary s,
                               SummaryOf(registry, n.dataset()));
        out.datasets.push_back(std::move(s));
        break;
      }
      case LineageNode::kModelVersion:
        out.models.push_back(n.model_version());
        break;
      case LineageNode::kDeploymentId: {
        AIGOV_ASSIGN_OR_RETURN(DeploymentSummary s,
                               DeploymentOf(registry, n.deployment_id()));
        out.deployments.push_back(std::move(s));
        break;
      }
      case LineageNode::NODE_NOT_SET:
        break;
    }
  }
  std::sort(out.datasets.begin(), out.datasets.end(), DatasetLess);
  std::sort(out.models.begin(), out.models.end(), ModelLess);
  std::sort(out.deployments.begin(), out.deployments.end(),
            [](const DeploymentSummary& a, const DeploymentSummary& b) {
              return a.deployment_id() < b.deployment_id();
            });
  return out;
}

// True when the registry holds the record or some edge touches the node.
absl::StatusOr<bool> Known(const registry::RegistryProjection& registry,
                           const LineageProjection& lineage,
                           const LineageNode& node, aigov::v1::EventKind kind,
                           const std::string& id, const std::string& version) {
  AIGOV_ASSIGN_OR_RETURN(const auto record,
                         Lookup(registry, kind, id, version));
  if (record) return true;
  return lineage.HasNode(node);
}

}  // namespace

absl::StatusOr<aigov::v1::GetImpactResponse> Impact(
    const registry::RegistryProjection& registry,
    const LineageProjection& lineage, const DatasetRef& dataset) {
  const LineageNode start = DatasetNode(dataset);
  AIGOV_ASSIGN_OR_RETURN(
      const bool known,
      Known(registry, lineage, start, aigov::v1::EVENT_KIND_DATASET_VERSION,
            dataset.dataset_id(), dataset.version()));
  if (!known) {
    return absl::NotFoundError(absl::StrCat(
        "dataset version ", dataset.dataset_id(), "@", dataset.version(),
        " is neither registered nor named by any lineage"));
  }
  AIGOV_ASSIGN_OR_RETURN(Walk walk, lineage.Downstream(start));
  AIGOV_ASSIGN_OR_RETURN(Sorted sorted, Sort(registry, walk.nodes));
  aigov::v1::GetImpactResponse out;
  for (auto& d : sorted.datasets) *out.add_derived_datasets() = std::move(d);
  for (auto& m : sorted.models) *out.add_model_versions() = std::move(m);
  for (auto& p : sorted.deployments) *out.add_deployments() = std::move(p);
  for (auto& e : walk.edges) *out.add_edges() = std::move(e);
  return out;
}

absl::StatusOr<aigov::v1::GetProvenanceResponse> Provenance(
    const registry::RegistryProjection& registry,
    const LineageProjection& lineage,
    const aigov::v1::GetProvenanceRequest& request) {
  LineageNode start;
  bool known = false;
  std::string name;
  if (request.has_model_version()) {
    const ModelVersionRef& ref = request.model_version();
    start = ModelNode(ref);
    name = absl::StrCat("model version ", ref.model_id(), "@", ref.version());
    AIGOV_ASSIGN_OR_RETURN(known, Known(registry, lineage, start,
                                        aigov::v1::EVENT_KIND_MODEL_VERSION,
                                        ref.model_id(), ref.version()));
  } else if (request.target_case() ==
             aigov::v1::GetProvenanceRequest::kDeploymentId) {
    start = DeploymentNode(request.deployment_id());
    name = absl::StrCat("deployment ", request.deployment_id());
    AIGOV_ASSIGN_OR_RETURN(
        known, Known(registry, lineage, start, aigov::v1::EVENT_KIND_DEPLOYMENT,
                     request.deployment_id(), ""));
  } else {
    return absl::InvalidArgumentError(
        "target: required, set model_version or deployment_id");
  }
  if (!known) {
    return absl::NotFoundError(
        absl::StrCat(name, " is neither registered nor named by any lineage"));
  }
  AIGOV_ASSIGN_OR_RETURN(Walk walk, lineage.Upstream(start));
  // A source dataset has nothing upstream of it in the walk.
  absl::flat_hash_set<std::string> downstream_ends;
  for (const auto& e : walk.edges) downstream_ends.insert(NodeKey(e.to()));
  AIGOV_ASSIGN_OR_RETURN(Sorted sorted, Sort(registry, walk.nodes));
  aigov::v1::GetProvenanceResponse out;
  for (auto& d : sorted.datasets) {
    if (!downstream_ends.contains(NodeKey(DatasetNode(d.dataset())))) {
      *out.add_source_datasets() = d;
    }
    *out.add_datasets() = std::move(d);
  }
  for (auto& m : sorted.models) *out.add_model_versions() = std::move(m);
  for (auto& e : walk.edges) *out.add_edges() = std::move(e);
  return out;
}

}  // namespace aigov::lineage
