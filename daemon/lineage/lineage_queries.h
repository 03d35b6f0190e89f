// Impact and provenance answers (LineageService.GetImpact/GetProvenance, and
// the lineage walk of an erasure request): a walk of the lineage view, with
// what the registry view knows of each dataset and deployment.
//
// Thread-safe: reads committed state only. Both views must outlive a call.
#pragma once

#include "absl/status/statusor.h"

#include "aigov/v1/lineage_service.pb.h"
#include "daemon/lineage/lineage_projection.h"
#include "daemon/registry/registry_projection.h"

namespace aigov::lineage {

// Everything downstream of `dataset`. kNotFound when neither view knows it.
absl::StatusOr<aigov::v1::GetImpactResponse> Impact(
    const registry::RegistryProjection& registry,
    const LineageProjection& lineage, const aigov::v1::DatasetRef& dataset);

// Everything upstream of a model version or deployment. kNotFound when
// neither view knows it; kInvalidArgument when `request` names neither.
absl::StatusOr<aigov::v1::GetProvenanceResponse> Provenance(
    const registry::RegistryProjection& registry,
    const LineageProjection& lineage,
    const aigov::v1::GetProvenanceRequest& request);

}  // namespace aigov::lineage
