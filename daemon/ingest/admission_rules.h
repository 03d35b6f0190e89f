// The rules of the domain that decide, from the state of the record, whether
// an event may be recorded (journal/admission_rule.h). They read the views
// through their group-aware lookups and run on the sequencer thread, in
// sequence order, so two events of one group see each other.
//
// Thread-safety: Check runs on the sequencer thread only. The views a rule
// reads must outlive it.
#pragma once

#include <memory>
#include <vector>

#include "daemon/journal/admission_rule.h"
#include "daemon/registry/registry_projection.h"

namespace aigov::ingest {

// AI Act Art. 14(5): for a remote biometric identification system (Annex
// III 1(a)), no action is taken on an identification unless two natural
// persons separately verified and confirmed it. An APPROVE oversight action
// on such a system is refused (FAILED_PRECONDITION on
// oversight_action.verifiers) unless it names two distinct verifiers.
class TwoPersonVerificationRule final : public journal::AdmissionRule {
 public:
  explicit TwoPersonVerificationRule(const registry::RegistryProjection& r)
      : registry_(r) {}
  absl::Status Check(const aigov::v1::JournalEntry& entry) override;

 private:
  const registry::RegistryProjection& registry_;
};

// Every rule aigovd checks at admission, reading `registry`, in the order
// the journal runs them.
std::vector<std::unique_ptr<journal::AdmissionRule>> AdmissionRules(
    const registry::RegistryProjection& registry);

}  // namespace aigov::ingest
