// The obligation catalog: one record per AI Act and GDPR obligation
// (REGULATION.md §1.6, §1.7) and the regimes of application dates (§1.2),
// as data in daemon/rules/catalog/*.yaml. The files are compiled into
// aigovd (EmbeddedCatalog); compliance.catalog_dir replaces them with a
// directory of the same shape. Parsing checks every record against the
// vocabulary (vocabulary.h), the DocumentType enum and the regimes, so a
// catalog that loads can be evaluated without a missing name; an error
// names the file, the record and the reason.
//
// A Catalog is an immutable value once parsed; thread-safe to share.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"

#include "aigov/v1/records.pb.h"

namespace aigov::rules {

// A length of time as the law counts it: calendar days, hours, weeks or
// calendar months, or a setting of the config (`config_key`, e.g.
// "gdpr_breach_window", resolved by the evaluator).
struct Period {
  enum class Unit { kHours, kDays, kWeeks, kMonths, kConfig };
  Unit unit = Unit::kDays;
  int64_t count = 0;
  std::string config_key;
};

// The settings a period may name as config:NAME (compliance.NAME).
absl::Span<const char* const> PeriodSettings();

struct ClockCase {
  std::string when;  // a condition
  Period period;
};

// A statutory clock: runs from `start` until `stop` happens, for `period`
// (the first case whose condition holds replaces it), extended by `add`
// when the `extension_when` event happened.
struct Clock {
  std::string start;  // an event
  std::string stop;   // an event
  Period period;
  std::vector<ClockCase> cases;
  std::string extension_when;  // an event; empty: no extension
  Period extension;
};

enum class Severity { kLow, kMedium, kHigh, kCritical };
enum class Cover { kSystem, kDeployedModelVersions };

struct DateCase {
  std::string when;  // a condition
  std::string date;  // a regime date key
};

struct Obligation {
  std::string id;       // AIA-01 ... GDPR-15
  std::string article;  // "Art. 73"
  std::string title;
  std::string file;  // the catalog file it came from
  std::vector<std::string> actors;
  std::vector<std::string> applies;      // conditions, all must hold
  std::vector<std::string> applies_any;  // conditions, one must (if any)
  std::string applies_from;              // a regime date key
  std::vector<DateCase> applies_from_cases;
  std::vector<aigov::v1::DocumentType> documents;
  Cover cover = Cover::kSystem;
  std::vector<std::string> evidence_events;
  std::vector<std::string> attributes;
  std::string due_before;  // an event; empty: none
  std::optional<Clock> clock;
  Severity severity = Severity::kMedium;
  // Non-empty: what the fields cannot express, evaluated in code.
  std::string in_code;
};

// Application dates under one reading of the AI Act. A date key maps to a
// day, or to nullopt when the provision does not exist under the regime.
struct Regime {
  std::string id;
  std::string title;
  absl::CivilDay in_force_from;
  std::string before;  // the regime answering before in_force_from
  std::map<std::string, std::optional<absl::CivilDay>> dates;
};

struct Catalog {
  std::vector<Regime> regimes;
  std::vector<Obligation> obligations;  // in id order within each file

  const Regime* FindRegime(const std::string& id) const;
  const Obligation* Find(const std::string& id) const;
};

// "low", "medium", "high", "critical".
const char* SeverityName(Severity s);
// A period as the catalog writes it: "15d", "72h", "1mo", "2w",
// "config:gdpr_breach_window".
std::string PeriodText(const Period& p);
// A clock in words: "15d from incident until notification_msa; 2d when
// widespread_or_critical_infrastructure; +2mo when extended".
std::string ClockText(const Clock& c);

// One catalog file: its name (for errors) and its YAML text.
struct CatalogFile {
  std::string name;
  std::string text;
};

// Parses and checks a catalog from its files. INVALID_ARGUMENT names the
// file, the record (id, or its position) and the reason, e.g.
// "ai_act.yaml: AIA-20: clock.period: expected Nh, Nd, Nw, Nmo or
// config:NAME, got \"15\"".
absl::StatusOr<Catalog> ParseCatalog(absl::Span<const CatalogFile> files);

// The catalog compiled into aigovd from daemon/rules/catalog/.
absl::StatusOr<Catalog> EmbeddedCatalog();

// The *.yaml files of `dir`, parsed as one catalog.
absl::StatusOr<Catalog> LoadCatalogDir(const std::string& dir);

// The embedded files themselves, in name order.
absl::Span<const CatalogFile> EmbeddedCatalogFiles();

}  // namespace aigov::rules
