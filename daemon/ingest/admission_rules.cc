#include "daemon/ingest/admission_rules.h"

#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/status_macros.h"

namespace aigov::ingest {

absl::Status TwoPersonVerificationRule::Check(
    const aigov::v1::JournalEntry& entry) {
  if (!entry.has_oversight_action()) return absl::OkStatus();
  const aigov::v1::OversightAction& action = entry.oversight_action();
  if (action.action() != aigov::v1::OVERSIGHT_ACTION_TYPE_APPROVE) {
    return absl::OkStatus();
  }
  AIGOV_ASSIGN_OR_RETURN(const std::optional<aigov::v1::AiSystem> system,
                         registry_.SystemOf(action.system_id()));
  if (!system || system->risk().annex_iii_point() != "1(a)") {
    return absl::OkStatus();
  }
  absl::flat_hash_set<std::string> distinct;
  for (const auto& v : action.verifiers()) distinct.insert(v.id());
  if (distinct.size() >= 2) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "oversight_action.verifiers: system ", action.system_id(),
      " is Annex III 1(a) (remote biometric identification); AI Act "
      "Art. 14(5) requires two distinct natural persons to verify and "
      "confirm before acting, got ",
      distinct.size()));
}

std::vector<std::unique_ptr<journal::AdmissionRule>> AdmissionRules(
    const registry::RegistryProjection& registry) {
  std::vector<std::unique_ptr<journal::AdmissionRule>> rules;
  rules.push_back(std::make_unique<TwoPersonVerificationRule>(registry));
  return rules;
}

}  // namespace aigov::ingest
