// Pure evaluation of the obligation catalog over one AI system's record
// (DESIGN.md "Compliance engine"): a SystemRecord (snapshot.h), the catalog,
// the configured regime, the settings and an instant in; one finding per
// obligation out. No RocksDB, no gRPC, no clock: the instant is an argument,
// so the same record answers "now", "on a past date" (for instants after
// its entries) and "in three days if nothing happens". Thread-safe (no
// state).
//
// Every name of the vocabulary (vocabulary.h) is bound to code here;
// `Unbound` lists any that is not, and a test keeps it empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "aigov/internal/v1/compliance_view.pb.h"
#include "aigov/v1/compliance.pb.h"
#include "daemon/rules/catalog.h"
#include "daemon/rules/classification.h"

namespace aigov::rules {

// The periods and facts the law leaves to policy or that aigovd knows of
// itself (compliance.* and journal.retention.* in the config).
struct Settings {
  absl::Duration gdpr_breach_window = absl::Hours(72);
  absl::Duration immediate_action_sla = absl::Hours(24);
  absl::Duration metric_freshness = absl::Hours(7 * 24);
  absl::Duration marking_freshness = absl::Hours(30 * 24);
  double at_risk_share = 0.5;
  // aigovd's own retention of operational logs and documentation
  // (journal.retention), and whether its retention sweeper runs.
  absl::Duration operational_retention = absl::Hours(183 * 24);
  absl::Duration documentation_retention = absl::Hours(3653 * 24);
  bool retention_sweeps = true;
};

// A clock ending within this is AT_RISK whatever share it used.
inline constexpr absl::Duration kAtRiskWithin = absl::Hours(24);

struct Finding {
  const Obligation* obligation = nullptr;
  aigov::v1::FindingStatus status = aigov::v1::FINDING_STATUS_UNSPECIFIED;
  std::string reason;
  std::optional<absl::Time> deadline;
  // Sorted, unique.
  std::vector<uint64_t> evidence;
  // What would change the finding, one item each (the record kind and
  // field path, the document type, the event to record); empty when
  // satisfied or not applicable.
  std::vector<std::string> to_fix;
};

struct Evaluation {
  const Regime* regime = nullptr;  // the regime in force at the instant
  Classification classification;
  std::vector<Finding> findings;  // in catalog order
  // The earliest instant after `at` at which a finding may change with no
  // new entry (a deadline, an at-risk threshold, an application date, a
  // document's validity, metric freshness).
  std::optional<absl::Time> next_due;
};

// How bad a status is: 4 violated, 3 at risk, 2 pending, 1 otherwise.
int StatusRank(aigov::v1::FindingStatus s);
// Violated, at risk or pending: what someone has to act on.
bool IsOpen(aigov::v1::FindingStatus s);

// The regime that answers at `at`: `configured`, or the one it names as
// `before` for instants before its in_force_from.
const Regime& RegimeAt(const Catalog& catalog, const Regime& configured,
                       absl::Time at);

// Evaluates every obligation of `catalog` for `record` at `at`. Entries
// recorded after `at` are not seen. INVALID_ARGUMENT only for a catalog the
// loader would refuse.
absl::StatusOr<Evaluation> Evaluate(
    const aigov::internal::v1::SystemRecord& record, const Catalog& catalog,
    const Regime& configured, const Settings& settings, absl::Time at);

// "SATISFIED", "AT_RISK", ...
const char* StatusName(aigov::v1::FindingStatus s);

// Vocabulary names with no binding in the evaluator ("condition:x",
// "event:y", "attribute:z"); empty in a correct build.
std::vector<std::string> Unbound();

}  // namespace aigov::rules
