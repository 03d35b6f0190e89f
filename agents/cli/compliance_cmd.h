// aigovctl's compliance commands (ComplianceService): `compliance
// obligations` (the catalog as a regime dates it), `compliance status` (where
// every obligation stands for one system, now, on a past date from the
// journal, or projected to a future one), `compliance findings` (the
// findings in force, filtered), `compliance report` (the report and its
// proof bundle), `compliance annex-iv` (a model version's Annex IV
// dossier) and `compliance training-summary` (its Art. 53(1)(d) summary). Each
// returns the process exit status (0 ok, 1 the request failed, 2 a bad
// argument) and prints errors to stderr.
#pragma once

#include <string>

namespace aigov::cli {

// aigovctl compliance obligations [--regime R] [--json]. The JSON is
// {"regime", "obligations": [{"id", "article", "title", "actors",
// "severity", "applies_from", "applies_from_cases", "documents",
// "cover_deployed_versions", "evidence_events", "attributes", "clock",
// "in_code"}]}.
int ComplianceObligations(const std::string& target, const std::string& regime,
                          bool json);

// aigovctl compliance status --system ID [--at RFC3339] [--open] [--json]. The
// JSON is {"system_id", "regime", "at", "risk_class", "reasons", "source"
// ("evaluated" or "journal"), "next_due", "tree_size", "obligations": [{"id",
// "article", "title", "status", "reason", "deadline", "evidence_sequences",
// "finding_sequence", "to_fix"}]}: times RFC 3339, a deadline null when no
// clock applies, finding_sequence null when no journalled finding states
// the status. With `open_only`, only what is violated, at risk or pending.
int ComplianceStatus(const std::string& target, const std::string& system,
                     const std::string& at, bool open_only, bool json);

// aigovctl compliance findings [--system ID] [--status S] [--obligation ID]
// [--json]. The JSON is an array of {"sequence", "recorded_at",
// "system_id", "obligation_id", "article", "status", "previous_status",
// "reason", "to_fix", "deadline", "evidence_sequences", "risk_class", "regime",
// "evaluated_at"}.
int ComplianceFindings(const std::string& target, const std::string& system,
                       const std::string& status, const std::string& obligation,
                       bool json);

// aigovctl compliance report --system ID [--at RFC3339] [--since RFC3339]
// [--format md|json|html] [--out FILE] [--bundle DIR]: the report rendered by
// aigovd (ComplianceService.GetReport), to stdout or FILE; with --bundle, its
// proof bundle in DIR (checkpoint, public_key, entries.jsonl with each
// cited entry's inclusion proof, and report.json), which `aigovctl journal
// verify DIR` checks offline.
int ComplianceReport(const std::string& target, const std::string& system,
                     const std::string& at, const std::string& since,
                     const std::string& format, const std::string& out,
                     const std::string& bundle);

// aigovctl compliance annex-iv --system ID --model ID@VERSION [--at
// RFC3339] [--format md|html] [--out FILE] [--bundle DIR]: the version's
// Annex IV dossier (ComplianceService.GetAnnexIv), to stdout or FILE (then
// the gaps it states are listed on stderr); --bundle as for the report.
int ComplianceAnnexIv(const std::string& target, const std::string& system,
                      const std::string& model, const std::string& at,
                      const std::string& format, const std::string& out,
                      const std::string& bundle);

// aigovctl compliance training-summary --model ID@VERSION [--format
// md|json|html] [--out FILE] [--bundle DIR]: the version's Art. 53(1)(d)
// training-data summary (ComplianceService.GetTrainingSummary); JSON is the
// proto3 JSON mapping of aigov.v1.TrainingDataSummary. With --out the gaps
// are listed on stderr; --bundle writes the proof of every dataset entry it
// cites, with the summary as summary.json.
int ComplianceTrainingSummary(const std::string& target,
                              const std::string& model,
                              const std::string& format, const std::string& out,
                              const std::string& bundle);

}  // namespace aigov::cli
