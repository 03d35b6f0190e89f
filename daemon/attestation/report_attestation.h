// A compliance report's attestation: what the report states about each
// obligation, signed by the journal's key at the report's checkpoint, so
// that a proof bundle proves the statements and not only the entries they
// cite. `aigovctl journal verify DIR` recomputes the statement from
// DIR/report.json and refuses any edited status, deadline, evidence list,
// reason or fix, and any obligation left out, naming the obligation; it
// also checks every obligation's status against the ComplianceFinding entry
// it cites (proven in the same bundle).
//
//   std::string body = StatementOf(report);           // what is signed
//   report.set_attestation(*signer.Sign(body));        // aigovd
//   AIGOV_ASSIGN_OR_RETURN(ReportCheck c,              // aigovctl
//       CheckReport(report, verifier, checkpoint, entry_at));
//
// The statement is a signed-note body of lines (every value is printed by
// this file, never copied from free text, so no line can be forged by a
// record's content):
//
//   aigov-report-attestation/v1
//   system credit-scoring
//   at 2026-12-08T10:00:00Z
//   generated 2026-12-08T10:00:03Z
//   regime eu-ai-act-2024
//   source evaluated
//   checkpoint 1234 <root, 64 hex>
//   risk high-risk
//   cited 57 <SHA-256 of the cited sequences, comma-joined, 64 hex>
//   sections documents=3 deployments=1 model_versions=2 oversight_actions=1
//   cases=2 obligation AIA-01 status=VIOLATED deadline=- finding=41
//   evidence=3,7 reason=<16 hex> fix=<16 hex>
//   ...                                      (one per obligation, report order)
//
// Its first line is not a checkpoint's (whose second line is a tree size),
// and a checkpoint is not a statement, so neither note passes for the other.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

#include "aigov/v1/report.pb.h"
#include "daemon/tlog/checkpoint.h"

namespace aigov::attestation {

inline constexpr char kStatementHeader[] = "aigov-report-attestation/v1";

// The statement `report` makes, as the body its attestation signs (ends in
// "\n"). `report.attestation` is not part of it.
std::string StatementOf(const aigov::v1::ComplianceReport& report);

// What CheckReport found.
struct ReportCheck {
  // Obligations stated, and how many of them rest on a ComplianceFinding
  // entry of the bundle that states the same status, deadline and reason.
  uint64_t obligations = 0;
  uint64_t rest_on_findings = 0;
};

// The bytes of the bundle's entry at a sequence, or nullopt when the bundle
// does not hold it (or holds it pruned).
using EntryAt = std::function<std::optional<std::string>(uint64_t)>;

// Checks `report` (parsed from a bundle's report.json) against its
// attestation: the signature by `verifier`, the checkpoint it names against
// `checkpoint` (the bundle's, already verified), every line of the signed
// statement against the one recomputed from the report; then each
// obligation's finding entry (`entry_at`): a ComplianceFinding of the same
// system and obligation with the report's status, deadline and reason (and,
// for a report from the journal, evidence). Returns kDataLoss naming the
// obligation and the field on the first difference, kFailedPrecondition
// when the report carries no attestation or the signature does not verify,
// kInvalidArgument for a malformed attestation.
absl::StatusOr<ReportCheck> CheckReport(
    const aigov::v1::ComplianceReport& report,
    const tlog::NoteVerifier& verifier, const tlog::Checkpoint& checkpoint,
    const EntryAt& entry_at);

}  // namespace aigov::attestation
