#include "daemon/rules/evaluate.h"

#include <algorithm>
#include <functional>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

#include "daemon/rules/period.h"
#include "daemon/rules/snapshot.h"
#include "daemon/rules/vocabulary.h"

namespace aigov::rules {

int StatusRank(aigov::v1::FindingStatus s) {
  switch (s) {
    case aigov::v1::FINDING_STATUS_VIOLATED:
      return 4;
    case aigov::v1::FINDING_STATUS_AT_RISK:
      return 3;
    case aigov::v1::FINDING_STATUS_PENDING:
      return 2;
    default:
      return 1;
  }
}

bool IsOpen(aigov::v1::FindingStatus s) { return StatusRank(s) > 1; }

namespace {

using aigov::internal::v1::BreachFact;
using aigov::internal::v1::DriftFact;
using aigov::internal::v1::Fact;
using aigov::internal::v1::IncidentFact;
using aigov::internal::v1::RequestFact;
using aigov::internal::v1::SystemRecord;
using aigov::internal::v1::VersionFact;
using aigov::v1::FindingStatus;

constexpr FindingStatus kSatisfied = aigov::v1::FINDING_STATUS_SATISFIED;
constexpr FindingStatus kPending = aigov::v1::FINDING_STATUS_PENDING;
constexpr FindingStatus kAtRisk = aigov::v1::FINDING_STATUS_AT_RISK;
constexpr FindingStatus kViolated = aigov::v1::FINDING_STATUS_VIOLATED;

int Rank(FindingStatus s) { return StatusRank(s); }

std::string Day(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}
std::string Instant(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// "3 days", "5 hours", "40 minutes".
std::string Span(absl::Duration d) {
  if (d >= absl::Hours(48)) {
    return absl::StrCat(absl::IDivDuration(d, absl::Hours(24), &d), " days");
  }
  if (d >= absl::Hours(2)) {
    return absl::StrCat(absl::IDivDuration(d, absl::Hours(1), &d), " hours");
  }
  return absl::StrCat(absl::IDivDuration(d, absl::Minutes(1), &d), " minutes");
}

std::string DocName(aigov::v1::DocumentType t) {
  std::string name = aigov::v1::DocumentType_Name(t);
  constexpr absl::string_view kPrefix = "DOCUMENT_TYPE_";
  if (absl::StartsWith(name, kPrefix)) name.erase(0, kPrefix.size());
  return name;
}

bool ContainsIgnoreCase(absl::string_view text, absl::string_view word) {
  return absl::StrContains(absl::AsciiStrToLower(text),
                           absl::AsciiStrToLower(word));
}

bool Seen(const Fact& f, absl::Time at) {
  return f.has_at() && TimeOf(f.at()) <= at;
}

// An occurrence of an event: when it happened (the event's own time: an
// incident's aware_at, a notification's sent_at), the entry recording it,
// and what it is about.
struct Occ {
  absl::Time at;
  std::optional<uint64_t> sequence;
  std::string subject;  // incident, breach or request id, "model@version"
  const IncidentFact* incident = nullptr;
  const BreachFact* breach = nullptr;
  const RequestFact* request = nullptr;
  const DriftFact* drift = nullptr;
  std::string label;  // "incident inc-1", "drift ALERT of m@1"
};

// The record as it stood at `at`, with what evaluation derives from it.
struct Ctx {
  const SystemRecord& r;
  const Regime& regime;
  const Settings& s;
  absl::Time at;
  Classification cls;
  // Model versions serving in an enabled production deployment at `at`.
  std::vector<const VersionFact*> deployed;
  // The first enabled production deployment (placing on the market or
  // putting into service), and each version's first.
  std::optional<Occ> first_deployment;
  std::map<std::string, Occ> first_deployed;
  // Each deployment's last change recorded by `at`, by deployment_id.
  std::map<std::string, const aigov::internal::v1::DeploymentChange*>
      deployments;
  // Instants after `at` at which a finding may change.
  std::vector<absl::Time>* due;

  void Due(absl::Time t) const {
    if (t > at) due->push_back(t);
  }
  std::optional<absl::Time> RegimeDate(const std::string& key) const {
    auto it = regime.dates.find(key);
    if (it == regime.dates.end() || !it->second) return std::nullopt;
    return absl::FromCivil(*it->second, absl::UTCTimeZone());
  }
  const aigov::v1::RiskProfile& risk() const { return r.system().risk(); }
  const aigov::v1::GdprProfile& gdpr() const { return r.system().gdpr(); }
  bool HasRole(aigov::v1::Role role) const {
    for (int x : r.system().roles()) {
      if (x == role) return true;
    }
    return false;
  }
  const VersionFact* Version(const std::string& key) const {
    for (const auto& v : r.model_versions()) {
      if (VersionKey(v.record().model_id(), v.record().version()) == key &&
          Seen(v.fact(), at)) {
        return &v;
      }
    }
    return nullptr;
  }
  // Datasets the deployed versions (all versions when none is deployed)
  // were trained on, as recorded; `unknown` gets the references with no
  // record.
  std::vector<const aigov::v1::DatasetVersion*> TrainingDatasets(
      std::vector<std::string>* unknown) const {
    std::vector<const aigov::v1::DatasetVersion*> out;
    std::vector<const VersionFact*> versions = deployed;
    if (versions.empty()) {
      for (const auto& v : r.model_versions()) {
        if (Seen(v.fact(), at)) versions.push_back(&v);
      }
    }
    for (const VersionFact* v : versions) {
      for (const auto& ref : v->record().training_datasets()) {
        const aigov::v1::DatasetVersion* found = nullptr;
        for (const auto& d : r.datasets()) {
          if (d.record().dataset_id() == ref.dataset_id() &&
              d.record().version() == ref.version() && Seen(d.fact(), at)) {
            found = &d.record();
          }
        }
        if (found == nullptr) {
          if (unknown != nullptr) {
            unknown->push_back(
                absl::StrCat(ref.dataset_id(), "@", ref.version()));
          }
        } else if (std::find(out.begin(), out.end(), found) == out.end()) {
          out.push_back(found);
        }
      }
    }
    return out;
  }
  std::vector<const aigov::v1::DatasetVersion*> PersonalDatasets() const {
    std::vector<const aigov::v1::DatasetVersion*> out;
    for (const auto& d : r.datasets()) {
      if (d.record().contains_personal_data() && Seen(d.fact(), at)) {
        out.push_back(&d.record());
      }
    }
    return out;
  }
};

bool IsSerious(const IncidentFact& i) {
  return i.record().category() != aigov::v1::INCIDENT_CATEGORY_NOT_SERIOUS &&
         i.record().category() != aigov::v1::INCIDENT_CATEGORY_UNSPECIFIED;
}

// ---- Conditions -----------------------------------------------------------

// A condition over the system, or over one clock's instance when `inst` is
// of the kind the condition is about (an incident, a breach, a request, a
// drift fact); over the system, an instance condition holds when any
// instance recorded by `at` satisfies it.
using ConditionFn = std::function<bool(const Ctx&, const Occ*)>;

bool AnyIncident(const Ctx& c, const Occ* inst,
                 const std::function<bool(const IncidentFact&)>& p) {
  if (inst != nullptr && inst->incident != nullptr) return p(*inst->incident);
  for (const auto& i : c.r.incidents()) {
    if (Seen(i.first(), c.at) && p(i)) return true;
  }
  return false;
}
bool AnyBreach(const Ctx& c, const Occ* inst,
               const std::function<bool(const BreachFact&)>& p) {
  if (inst != nullptr && inst->breach != nullptr) return p(*inst->breach);
  for (const auto& b : c.r.breaches()) {
    if (Seen(b.first(), c.at) && p(b)) return true;
  }
  return false;
}
bool AnyRequest(const Ctx& c, const Occ* inst,
                aigov::v1::DataSubjectRequestType type) {
  if (inst != nullptr && inst->request != nullptr) {
    return inst->request->record().type() == type;
  }
  for (const auto& q : c.r.requests()) {
    if (Seen(q.received(), c.at) && q.record().type() == type) return true;
  }
  return false;
}
bool PointIs(const Ctx& c, std::initializer_list<absl::string_view> points) {
  for (absl::string_view p : points) {
    if (c.risk().annex_iii_point() == p) return true;
  }
  return false;
}
bool AnnexIIINotPoint2(const Ctx& c) {
  const std::string& p = c.risk().annex_iii_point();
  return !p.empty() && p[0] != '2';
}
bool PersonalData(const Ctx& c) {
  return c.gdpr().personal_data() || !c.PersonalDatasets().empty();
}

const std::map<std::string, ConditionFn>& ConditionTable() {
  static const auto* table = new std::map<std::string, ConditionFn>{
      {"always", [](const Ctx&, const Occ*) { return true; }},
      {"eu_nexus",
       [](const Ctx& c, const Occ*) { return c.risk().eu_market(); }},
      {"provider",
       [](const Ctx& c, const Occ*) {
         return c.HasRole(aigov::v1::ROLE_PROVIDER);
       }},
      {"deployer",
       [](const Ctx& c, const Occ*) {
         return c.HasRole(aigov::v1::ROLE_DEPLOYER);
       }},
      {"gpai_provider",
       [](const Ctx& c, const Occ*) {
         return c.HasRole(aigov::v1::ROLE_GPAI_PROVIDER);
       }},
      {"high_risk", [](const Ctx& c, const Occ*) { return c.cls.high_risk; }},
      {"annex_i_product",
       [](const Ctx& c, const Occ*) {
         return c.risk().annex_i_product() &&
                c.risk().third_party_conformity_assessment();
       }},
      {"annex_iii",
       [](const Ctx& c, const Occ*) {
         return !c.risk().annex_iii_point().empty();
       }},
      {"annex_iii_except_point_2",
       [](const Ctx& c, const Occ*) { return AnnexIIINotPoint2(c); }},
      {"annex_iii_1a",
       [](const Ctx& c, const Occ*) { return PointIs(c, {"1(a)"}); }},
      {"annex_iii_5b_5c",
       [](const Ctx& c, const Occ*) {
         return PointIs(c, {"5(b)", "5(c)"});
       }},
      {"art6_3_claimed",
       [](const Ctx& c, const Occ*) {
         return c.risk().art6_3_derogation_claimed();
       }},
      {"performs_profiling",
       [](const Ctx& c, const Occ*) { return c.risk().performs_profiling(); }},
      {"prohibited_practice",
       [](const Ctx& c, const Occ*) {
         return !c.risk().prohibited_practices().empty();
       }},
      // Only Omnibus points: a flag of the original Art. 5 binds from its
      // own date.
      {"prohibited_omnibus_point",
       [](const Ctx& c, const Occ*) {
         if (c.risk().prohibited_practices().empty()) return false;
         for (const std::string& p : c.risk().prohibited_practices()) {
           if (p != "ba" && p != "bb") return false;
         }
         return true;
       }},
      {"interacts_with_persons",
       [](const Ctx& c, const Occ*) {
         return c.risk().interacts_with_persons();
       }},
      {"generates_synthetic_content",
       [](const Ctx& c, const Occ*) {
         return c.risk().generates_synthetic_content();
       }},
      {"placed_before_transparency_date",
       [](const Ctx& c, const Occ*) {
         const std::optional<absl::Time> d = c.RegimeDate("transparency");
         return c.first_deployment && d && c.first_deployment->at < *d;
       }},
      {"emotion_or_biometric_categorisation",
       [](const Ctx& c, const Occ*) {
         return c.risk().emotion_recognition() ||
                c.risk().biometric_categorisation();
       }},
      {"deepfake_or_public_interest_text",
       [](const Ctx& c, const Occ*) {
         return c.risk().deepfake() || c.risk().public_interest_text();
       }},
      {"gpai_model", [](const Ctx& c, const Occ*) { return c.cls.gpai; }},
      {"gpai_placed_before_gpai_date",
       [](const Ctx& c, const Occ*) {
         const std::optional<absl::Time> d = c.RegimeDate("gpai");
         if (!d) return false;
         for (const auto& v : c.r.model_versions()) {
           if (Seen(v.fact(), c.at) && TimeOf(v.fact().at()) < *d) {
             return true;
           }
         }
         return false;
       }},
      {"gpai_compute_over_threshold",
       [](const Ctx& c, const Occ*) {
         return c.risk().training_compute_flop() > kSystemicRiskFlop;
       }},
      {"gpai_systemic_risk",
       [](const Ctx& c, const Occ*) { return c.cls.gpai_systemic_risk; }},
      {"deployer_public_body",
       [](const Ctx& c, const Occ*) {
         return c.risk().deployer_public_body();
       }},
      {"fria_scope",
       [](const Ctx& c, const Occ*) {
         return c.risk().deployer_public_body() ||
                c.risk().private_entity_public_service() ||
                PointIs(c, {"5(b)", "5(c)"});
       }},
      {"workplace_use",
       [](const Ctx& c, const Occ*) { return c.risk().workplace_use(); }},
      {"decides_about_persons",
       [](const Ctx& c, const Occ*) {
         return c.risk().decides_about_persons();
       }},
      {"annex_iii_decision_with_effect",
       [](const Ctx& c, const Occ*) {
         return AnnexIIINotPoint2(c) && c.risk().decides_about_persons();
       }},
      {"trained_on_data",
       [](const Ctx& c, const Occ*) {
         for (const auto& v : c.r.model_versions()) {
           if (Seen(v.fact(), c.at) && v.record().training_datasets_size() > 0)
             return true;
         }
         return false;
       }},
      {"logs_under_provider_control",
       [](const Ctx& c, const Occ*) {
         return c.HasRole(aigov::v1::ROLE_PROVIDER) &&
                !ContainsIgnoreCase(c.r.system().hosting(), "deployer");
       }},
      {"drift_or_performance_breach",
       [](const Ctx& c, const Occ* inst) {
         if (inst != nullptr && inst->drift != nullptr) return true;
         for (const auto& d : c.r.drift_facts()) {
           if (Seen(d.fact(), c.at)) return true;
         }
         return false;
       }},
      {"serious_incident",
       [](const Ctx& c, const Occ* inst) {
         return AnyIncident(c, inst, IsSerious);
       }},
      {"incident_death",
       [](const Ctx& c, const Occ* inst) {
         return AnyIncident(
             c, inst, [](const IncidentFact& i) { return i.record().death(); });
       }},
      {"incident_widespread_or_critical",
       [](const Ctx& c, const Occ* inst) {
         return AnyIncident(c, inst, [](const IncidentFact& i) {
           return i.record().widespread() ||
                  i.record().critical_infrastructure() ||
                  i.record().category() ==
                      aigov::v1::INCIDENT_CATEGORY_CRITICAL_INFRASTRUCTURE;
         });
       }},
      {"personal_data",
       [](const Ctx& c, const Occ*) { return PersonalData(c); }},
      {"special_categories",
       [](const Ctx& c, const Occ*) {
         if (!c.gdpr().special_categories().empty()) return true;
         for (const auto* d : c.PersonalDatasets()) {
           if (!d->special_categories().empty()) return true;
         }
         return false;
       }},
      {"lawful_basis_legitimate_interest",
       [](const Ctx& c, const Occ*) {
         return c.gdpr().lawful_basis() ==
                aigov::v1::LAWFUL_BASIS_LEGITIMATE_INTERESTS;
       }},
      {"lawful_basis_public_task_or_legitimate_interest",
       [](const Ctx& c, const Occ*) {
         return c.gdpr().lawful_basis() ==
                    aigov::v1::LAWFUL_BASIS_LEGITIMATE_INTERESTS ||
                c.gdpr().lawful_basis() == aigov::v1::LAWFUL_BASIS_PUBLIC_TASK;
       }},
      {"indirect_collection",
       [](const Ctx& c, const Occ*) {
         for (const auto* d : c.PersonalDatasets()) {
           if (!d->subjects_informed()) return true;
         }
         return false;
       }},
      {"solely_automated_decision",
       [](const Ctx& c, const Occ*) {
         return c.gdpr().solely_automated_decision_with_legal_effect();
       }},
      // A system processing personal data continuously is not "occasional"
      // (Art. 30(5)): the exemption never holds for it.
      {"ropa_required",
       [](const Ctx& c, const Occ*) { return PersonalData(c); }},
      {"dpia_required",
       [](const Ctx& c, const Occ*) {
         const auto& g = c.gdpr();
         const bool special = !g.special_categories().empty();
         return (c.risk().performs_profiling() &&
                 (g.solely_automated_decision_with_legal_effect() ||
                  c.risk().decides_about_persons())) ||
                (g.large_scale() && special) ||
                (g.large_scale() && g.systematic_public_monitoring());
       }},
      {"transfers_outside_eea",
       [](const Ctx& c, const Occ*) {
         return !c.gdpr().transfer_destinations().empty();
       }},
      {"breach_recorded",
       [](const Ctx& c, const Occ* inst) {
         return AnyBreach(c, inst, [](const BreachFact&) { return true; });
       }},
      {"breach_not_unlikely",
       [](const Ctx& c, const Occ* inst) {
         return AnyBreach(c, inst, [](const BreachFact& b) {
           return b.record().risk() != aigov::v1::BREACH_RISK_UNLIKELY;
         });
       }},
      {"breach_high_risk",
       [](const Ctx& c, const Occ* inst) {
         return AnyBreach(c, inst, [](const BreachFact& b) {
           return b.record().risk() == aigov::v1::BREACH_RISK_HIGH;
         });
       }},
      {"dsr_access",
       [](const Ctx& c, const Occ* inst) {
         return AnyRequest(c, inst,
                           aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ACCESS);
       }},
      {"dsr_erasure",
       [](const Ctx& c, const Occ* inst) {
         return AnyRequest(c, inst,
                           aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ERASURE);
       }},
      {"dsr_objection",
       [](const Ctx& c, const Occ* inst) {
         return AnyRequest(c, inst,
                           aigov::v1::DATA_SUBJECT_REQUEST_TYPE_OBJECTION);
       }},
      {"dsr_art22_contest",
       [](const Ctx& c, const Occ* inst) {
         return AnyRequest(c, inst,
                           aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ART22_CONTEST);
       }},
      {"dsr_art86_explanation",
       [](const Ctx& c, const Occ* inst) {
         return AnyRequest(
             c, inst, aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ART86_EXPLANATION);
       }},
  };
  return *table;
}

bool Holds(const Ctx& c, const std::string& name, const Occ* inst) {
  const auto& t = ConditionTable();
  auto it = t.find(name);
  return it != t.end() && it->second(c, inst);
}

// ---- Events ----------------------------------------------------------------

// Occurrences of an event recorded by `at`. With `inst` (a clock's start),
// only those about the same incident, breach, request or model version (a
// system-wide occurrence is about every instance).
using EventFn = std::function<std::vector<Occ>(const Ctx&, const Occ* inst)>;

Occ OccOf(const Fact& f, absl::Time at, std::string subject = "") {
  Occ o;
  o.at = at;
  o.sequence = f.sequence();
  o.subject = std::move(subject);
  return o;
}

std::vector<Occ> Documents(const Ctx& c, aigov::v1::DocumentType type) {
  std::vector<Occ> out;
  for (const auto& d : c.r.documents()) {
    if (d.record().type() == type && Seen(d.fact(), c.at)) {
      out.push_back(OccOf(d.fact(), TimeOf(d.fact().at())));
    }
  }
  return out;
}

std::vector<Occ> Notifications(const Ctx& c, const Occ* inst,
                               aigov::v1::NotificationRecipient to) {
  std::vector<Occ> out;
  for (const auto& n : c.r.notifications()) {
    const auto& rec = n.record();
    if (rec.recipient() != to || !Seen(n.fact(), c.at)) continue;
    std::string subject = !rec.incident_id().empty() ? rec.incident_id()
                          : !rec.breach_id().empty() ? rec.breach_id()
                                                     : rec.request_id();
    if (inst != nullptr && !subject.empty() && subject != inst->subject) {
      continue;
    }
    out.push_back(OccOf(n.fact(), TimeOf(rec.sent_at()), subject));
  }
  return out;
}

std::vector<Occ> Requests(const Ctx& c, const Occ* inst,
                          const Fact& (RequestFact::*which)() const,
                          bool (RequestFact::*has)() const, bool own_time) {
  std::vector<Occ> out;
  for (const auto& q : c.r.requests()) {
    if (inst != nullptr && inst->subject != q.record().request_id()) continue;
    if (!(q.*has)() || !Seen((q.*which)(), c.at)) continue;
    absl::Time t = TimeOf((q.*which)().at());
    if (own_time && q.record().has_completed_at()) {
      t = TimeOf(q.record().completed_at());
    }
    Occ o = OccOf((q.*which)(), t, q.record().request_id());
    o.request = &q;
    o.label = absl::StrCat(
        "request ", q.record().request_id(), " (",
        absl::AsciiStrToLower(absl::StripPrefix(
            aigov::v1::DataSubjectRequestType_Name(q.record().type()),
            "DATA_SUBJECT_REQUEST_TYPE_")),
        ")");
    out.push_back(std::move(o));
  }
  return out;
}

const std::map<std::string, EventFn>& EventTable() {
  using aigov::v1::DocumentType;
  static const auto* table = new std::map<std::string, EventFn>{
      {"first_eu_deployment",
       [](const Ctx& c, const Occ*) {
         std::vector<Occ> out;
         if (c.first_deployment) out.push_back(*c.first_deployment);
         return out;
       }},
      {"deployment_enabled",
       [](const Ctx& c, const Occ*) {
         std::vector<Occ> out;
         for (const auto& ch : c.r.changes()) {
           if (ch.state() == aigov::v1::DEPLOYMENT_STATE_ENABLED &&
               Seen(ch.fact(), c.at)) {
             out.push_back(OccOf(ch.fact(), TimeOf(ch.fact().at())));
           }
         }
         return out;
       }},
      {"model_version_deployed",
       [](const Ctx& c, const Occ* inst) {
         std::vector<Occ> out;
         for (const auto& [key, occ] : c.first_deployed) {
           if (inst == nullptr || inst->subject == key) out.push_back(occ);
         }
         return out;
       }},
      {"training_record",
       [](const Ctx& c, const Occ*) {
         return Documents(c, aigov::v1::DOCUMENT_TYPE_TRAINING_RECORD);
       }},
      {"oversight_action",
       [](const Ctx& c, const Occ*) {
         std::vector<Occ> out;
         if (Seen(c.r.last_oversight(), c.at)) {
           out.push_back(
               OccOf(c.r.last_oversight(), TimeOf(c.r.last_oversight().at())));
         } else if (Seen(c.r.first_oversight(), c.at)) {
           out.push_back(OccOf(c.r.first_oversight(),
                               TimeOf(c.r.first_oversight().at())));
         }
         return out;
       }},
      {"risk_review",
       [](const Ctx& c, const Occ*) {
         return Documents(c, aigov::v1::DOCUMENT_TYPE_RISK_REGISTER);
       }},
      {"drift_or_breach_reported",
       [](const Ctx& c, const Occ*) {
         std::vector<Occ> out;
         for (const auto& d : c.r.drift_facts()) {
           if (!Seen(d.fact(), c.at)) continue;
           const std::string key = VersionKey(d.model_id(), d.version());
           // A version in production when it was reported.
           auto first = c.first_deployed.find(key);
           if (first == c.first_deployed.end() ||
               first->second.at > TimeOf(d.fact().at())) {
             continue;
           }
           Occ o = OccOf(d.fact(), TimeOf(d.fact().at()), key);
           o.drift = &d;
           o.label = absl::StrCat(d.what(), " of ", key);
           out.push_back(std::move(o));
         }
         return out;
       }},
      // A new model version, or a deployment change, after the event: for
      // an instance about a version, a change of another version or one
      // that disables or rolls back.
      {"corrective_action",
       [](const Ctx& c, const Occ* inst) {
         std::vector<Occ> out;
         for (const auto& v : c.r.model_versions()) {
           const std::string key =
               VersionKey(v.record().model_id(), v.record().version());
           if (Seen(v.fact(), c.at) &&
               (inst == nullptr || key != inst->subject))
             out.push_back(OccOf(v.fact(), TimeOf(v.fact().at())));
         }
         for (const auto& ch : c.r.changes()) {
           if (!Seen(ch.fact(), c.at)) continue;
           const std::string key = VersionKey(ch.model_version().model_id(),
                                              ch.model_version().version());
           if (inst != nullptr && key == inst->subject &&
               ch.state() == aigov::v1::DEPLOYMENT_STATE_ENABLED) {
             continue;
           }
           out.push_back(OccOf(ch.fact(), TimeOf(ch.fact().at())));
         }
         return out;
       }},
      {"incident_aware",
       [](const Ctx& c, const Occ* inst) {
         std::vector<Occ> out;
         for (const auto& i : c.r.incidents()) {
           if (!IsSerious(i) || !Seen(i.first(), c.at)) continue;
           if (inst != nullptr && inst->subject != i.record().incident_id())
             continue;
           Occ o = OccOf(i.first(), TimeOf(i.record().aware_at()),
                         i.record().incident_id());
           o.incident = &i;
           o.label = absl::StrCat("incident ", i.record().incident_id());
           if (i.record().death()) absl::StrAppend(&o.label, " (death)");
           out.push_back(std::move(o));
         }
         return out;
       }},
      {"notified_msa",
       [](const Ctx& c, const Occ* inst) {
         return Notifications(
             c, inst,
             aigov::v1::NOTIFICATION_RECIPIENT_MARKET_SURVEILLANCE_AUTHORITY);
       }},
      {"notified_provider",
       [](const Ctx& c, const Occ* inst) {
         return Notifications(c, inst,
                              aigov::v1::NOTIFICATION_RECIPIENT_PROVIDER);
       }},
      {"notified_deployer",
       [](const Ctx& c, const Occ* inst) {
         return Notifications(c, inst,
                              aigov::v1::NOTIFICATION_RECIPIENT_DEPLOYER);
       }},
      {"notified_ai_office",
       [](const Ctx& c, const Occ* inst) {
         return Notifications(c, inst,
                              aigov::v1::NOTIFICATION_RECIPIENT_AI_OFFICE);
       }},
      {"breach_aware",
       [](const Ctx& c, const Occ* inst) {
         std::vector<Occ> out;
         for (const auto& b : c.r.breaches()) {
           if (!Seen(b.first(), c.at)) continue;
           if (inst != nullptr && inst->subject != b.record().breach_id())
             continue;
           Occ o = OccOf(b.first(), TimeOf(b.record().aware_at()),
                         b.record().breach_id());
           o.breach = &b;
           o.label = absl::StrCat("breach ", b.record().breach_id());
           out.push_back(std::move(o));
         }
         return out;
       }},
      {"notified_sa",
       [](const Ctx& c, const Occ* inst) {
         return Notifications(
             c, inst, aigov::v1::NOTIFICATION_RECIPIENT_SUPERVISORY_AUTHORITY);
       }},
      {"notified_subjects",
       [](const Ctx& c, const Occ* inst) {
         return Notifications(c, inst,
                              aigov::v1::NOTIFICATION_RECIPIENT_DATA_SUBJECTS);
       }},
      {"dsr_received",
       [](const Ctx& c, const Occ* inst) {
         std::vector<Occ> out = Requests(c, inst, &RequestFact::received,
                                         &RequestFact::has_received, false);
         for (Occ& o : out) o.at = TimeOf(o.request->record().received_at());
         return out;
       }},
      {"dsr_extended",
       [](const Ctx& c, const Occ* inst) {
         return Requests(c, inst, &RequestFact::extended,
                         &RequestFact::has_extended, false);
       }},
      {"dsr_completed",
       [](const Ctx& c, const Occ* inst) {
         return Requests(c, inst, &RequestFact::completed,
                         &RequestFact::has_completed, true);
       }},
      // Every model version the request affects has a decision: one
      // occurrence, at the last decision.
      {"erasure_decision",
       [](const Ctx& c, const Occ* inst) {
         std::vector<Occ> out;
         for (const auto& q : c.r.requests()) {
           if (q.record().type() !=
                   aigov::v1::DATA_SUBJECT_REQUEST_TYPE_ERASURE ||
               (inst != nullptr && inst->subject != q.record().request_id())) {
             continue;
           }
           std::optional<Occ> last;
           bool all = true;
           for (const auto& mv : q.record().affected_model_versions()) {
             const aigov::internal::v1::ErasureDecision* found = nullptr;
             for (const auto& d : c.r.erasure_decisions()) {
               if (d.request_id() == q.record().request_id() &&
                   d.model_version().model_id() == mv.model_id() &&
                   d.model_version().version() == mv.version() &&
                   Seen(d.fact(), c.at)) {
                 found = &d;
               }
             }
             if (found == nullptr) {
               all = false;
               break;
             }
             Occ o = OccOf(found->fact(), TimeOf(found->fact().at()),
                           q.record().request_id());
             if (!last || o.at > last->at) last = o;
           }
           if (!all) continue;
           if (!last) {
             // Nothing affected: decided with the request itself.
             last = OccOf(q.received(), TimeOf(q.received().at()),
                          q.record().request_id());
           }
           out.push_back(*last);
         }
         return out;
       }},
      {"gpai_compute_recorded",
       [](const Ctx& c, const Occ*) {
         std::vector<Occ> out;
         if (Seen(c.r.gpai_compute_recorded(), c.at)) {
           Occ o = OccOf(c.r.gpai_compute_recorded(),
                         TimeOf(c.r.gpai_compute_recorded().at()));
           o.label = "training compute over 1e25 FLOP recorded";
           out.push_back(std::move(o));
         }
         return out;
       }},
      {"metric_sample",
       [](const Ctx& c, const Occ*) {
         std::vector<Occ> out;
         for (const auto& m : c.r.monitoring()) {
           if (Seen(m.last_sample(), c.at)) {
             out.push_back(OccOf(m.last_sample(), TimeOf(m.last_sample().at()),
                                 VersionKey(m.model_id(), m.version())));
           }
         }
         return out;
       }},
      {"transfer_recorded",
       [](const Ctx& c, const Occ*) {
         std::vector<Occ> out;
         if (!c.gdpr().transfer_destinations().empty() &&
             Seen(c.r.system_fact(), c.at)) {
           out.push_back(
               OccOf(c.r.system_fact(), TimeOf(c.r.system_fact().at())));
         }
         return out;
       }},
      // aigovd's retention sweeper: its runs are not journalled; it runs
      // when configured.
      {"purge_run",
       [](const Ctx& c, const Occ*) {
         std::vector<Occ> out;
         if (c.s.retention_sweeps) {
           Occ o;
           o.at = c.at;
           out.push_back(o);
         }
         return out;
       }},
  };
  return *table;
}

std::vector<Occ> Occurrences(const Ctx& c, const std::string& event,
                             const Occ* inst) {
  const auto& t = EventTable();
  auto it = t.find(event);
  if (it == t.end()) return {};
  return it->second(c, inst);
}

std::string EventWords(const std::string& event) {
  const Term* t = Find(Events(), event);
  return t == nullptr ? event : std::string(t->description);
}

// ---- Attributes --------------------------------------------------------

// What is missing for an attribute (empty: recorded).
using AttributeFn = std::function<std::vector<std::string>(const Ctx&)>;

std::vector<std::string> EachDataset(
    const std::vector<const aigov::v1::DatasetVersion*>& datasets,
    const std::function<bool(const aigov::v1::DatasetVersion&)>& ok,
    const std::string& what) {
  std::vector<std::string> missing;
  for (const auto* d : datasets) {
    if (!ok(*d)) {
      missing.push_back(absl::StrCat(what, " of dataset ", d->dataset_id(), "@",
                                     d->version()));
    }
  }
  return missing;
}

std::vector<std::string> Training(
    const Ctx& c,
    const std::function<bool(const aigov::v1::DatasetVersion&)>& ok,
    const std::string& what) {
  std::vector<std::string> unknown;
  auto datasets = c.TrainingDatasets(&unknown);
  std::vector<std::string> missing = EachDataset(datasets, ok, what);
  for (const std::string& u : unknown) {
    missing.push_back(absl::StrCat("a record of training dataset ", u));
  }
  return missing;
}

const std::map<std::string, AttributeFn>& AttributeTable() {
  static const auto* table = new std::map<std::string, AttributeFn>{
      {"risk.art6_3_condition",
       [](const Ctx& c) {
         return c.risk().art6_3_condition().empty()
                    ? std::vector<std::string>{"the Art. 6(3) condition"}
                    : std::vector<std::string>{};
       }},
      {"risk.predetermined_change_plan_ref",
       [](const Ctx& c) {
         return c.risk().continuous_learning() &&
                        c.risk().predetermined_change_plan_ref().empty()
                    ? std::vector<std::string>{"the predetermined change "
                                               "plan of a learning system"}
                    : std::vector<std::string>{};
       }},
      {"system.overseers",
       [](const Ctx& c) {
         for (const auto& p : c.r.system().people()) {
           if (ContainsIgnoreCase(p.role(), "overseer") ||
               ContainsIgnoreCase(p.role(), "operator")) {
             return std::vector<std::string>{};
           }
         }
         return std::vector<std::string>{"a person with an overseer role"};
       }},
      {"system.intended_purpose",
       [](const Ctx& c) {
         return c.r.system().intended_purpose().empty()
                    ? std::vector<std::string>{"the intended purpose"}
                    : std::vector<std::string>{};
       }},
      {"model.declared_metrics",
       [](const Ctx& c) {
         std::vector<std::string> missing;
         for (const VersionFact* v : c.deployed) {
           if (v->record().declared_metrics_size() == 0) {
             missing.push_back(absl::StrCat(
                 "declared metrics of ",
                 VersionKey(v->record().model_id(), v->record().version())));
           }
         }
         return missing;
       }},
      {"model.training_datasets",
       [](const Ctx& c) {
         std::vector<std::string> missing;
         for (const VersionFact* v : c.deployed) {
           if (v->record().training_datasets_size() == 0) {
             missing.push_back(absl::StrCat(
                 "training datasets of ",
                 VersionKey(v->record().model_id(), v->record().version())));
           }
         }
         return missing;
       }},
      {"dataset.provenance",
       [](const Ctx& c) {
         return Training(
             c, [](const auto& d) { return !d.source_system().empty(); },
             "the source system");
       }},
      {"dataset.purpose",
       [](const Ctx& c) {
         return EachDataset(
             c.PersonalDatasets(),
             [](const auto& d) { return !d.purpose().empty(); }, "the purpose");
       }},
      {"dataset.retention",
       [](const Ctx& c) {
         return EachDataset(
             c.PersonalDatasets(),
             [](const auto& d) { return d.retention_days() > 0; },
             "the retention");
       }},
      {"dataset.lawful_basis",
       [](const Ctx& c) {
         return EachDataset(
             c.PersonalDatasets(),
             [](const auto& d) { return d.has_lawful_basis(); },
             "the lawful basis");
       }},
      {"dataset.bias_examination_ref",
       [](const Ctx& c) {
         return Training(
             c, [](const auto& d) { return !d.bias_examination_ref().empty(); },
             "the bias examination");
       }},
      {"dataset.representativeness_ref",
       [](const Ctx& c) {
         return Training(
             c,
             [](const auto& d) { return !d.representativeness_ref().empty(); },
             "the representativeness assessment");
       }},
      // Art. 9(2) / AI Act Art. 10(5): a lawful basis and at least
      // pseudonymisation for each dataset with special categories.
      {"dataset.special_category_conditions",
       [](const Ctx& c) {
         return EachDataset(
             c.PersonalDatasets(),
             [](const auto& d) {
               return d.special_categories().empty() ||
                      (d.has_lawful_basis() &&
                       (d.anonymisation() ==
                            aigov::v1::ANONYMISATION_LEVEL_PSEUDONYMISED ||
                        d.anonymisation() ==
                            aigov::v1::ANONYMISATION_LEVEL_ANONYMISED));
             },
             "a lawful basis and pseudonymisation for special categories");
       }},
      {"dataset.anonymisation",
       [](const Ctx& c) {
         return EachDataset(
             c.PersonalDatasets(),
             [](const auto& d) { return d.has_anonymisation(); },
             "the anonymisation level");
       }},
      {"gdpr.lawful_basis",
       [](const Ctx& c) {
         return c.gdpr().has_lawful_basis()
                    ? std::vector<std::string>{}
                    : std::vector<std::string>{"the system's lawful basis"};
       }},
      {"gdpr.retention_days",
       [](const Ctx& c) {
         return c.gdpr().retention_days() > 0
                    ? std::vector<std::string>{}
                    : std::vector<std::string>{
                          "the retention of inference logs"};
       }},
      // A destination is recorded with its mechanism as CODE:MECHANISM
      // ("US:SCC", "JP:adequacy").
      {"gdpr.transfer_mechanism",
       [](const Ctx& c) {
         std::vector<std::string> missing;
         for (const std::string& d : c.gdpr().transfer_destinations()) {
           const size_t colon = d.find(':');
           if (colon == std::string::npos || colon + 1 == d.size()) {
             missing.push_back(absl::StrCat(
                 "the transfer mechanism for ", d, " (write it as ", d,
                 ":SCC, :BCR, :adequacy or :art49)"));
           }
         }
         return missing;
       }},
      {"journal.retention.operational",
       [](const Ctx& c) {
         return c.s.operational_retention >= absl::Hours(183 * 24)
                    ? std::vector<std::string>{}
                    : std::vector<std::string>{absl::StrCat(
                          "operational log retention of at least six months "
                          "(journal.retention keeps ",
                          Span(c.s.operational_retention), ")")};
       }},
      {"journal.retention.documentation",
       [](const Ctx& c) {
         return c.s.documentation_retention >= absl::Hours(3652 * 24)
                    ? std::vector<std::string>{}
                    : std::vector<std::string>{
                          absl::StrCat("documentation retention of ten years "
                                       "(journal.retention keeps ",
                                       Span(c.s.documentation_retention), ")")};
       }},
  };
  return *table;
}

// ---- One obligation
// ----------------------------------------------------------

struct Part {
  FindingStatus status;
  std::string reason;
  std::optional<absl::Time> deadline;
  // What would remove it, in words (FixWords).
  std::vector<std::string> fixes;
};

struct Acc {
  std::vector<Part> parts;
  std::vector<uint64_t> evidence;
  std::vector<std::string> met;  // what satisfies it, in words

  // A shortfall; `fixes` say what would remove it (never empty: a test
  // holds every finding that is not met to a fix).
  void Add(FindingStatus s, std::string reason, std::vector<std::string> fixes,
           std::optional<absl::Time> deadline = std::nullopt) {
    parts.push_back({s, std::move(reason), deadline, std::move(fixes)});
  }
  void Cite(const Occ& o) {
    if (o.sequence) evidence.push_back(*o.sequence);
  }
  void Cite(const Fact& f) { evidence.push_back(f.sequence()); }
};

// Missing evidence: violated once `due_before` happened (or when there is
// none), pending before.
void Missing(const Obligation& o, const std::string& what,
             const std::optional<Occ>& due, std::vector<std::string> fixes,
             Acc* acc) {
  if (o.due_before.empty()) {
    acc->Add(kViolated, absl::StrCat(what, " not recorded"), std::move(fixes));
    return;
  }
  if (due) {
    acc->Cite(*due);
    acc->Add(kViolated,
             absl::StrCat(what, " not recorded; due before ",
                          EventWords(o.due_before), ", which happened on ",
                          Day(due->at)),
             std::move(fixes));
    return;
  }
  acc->Add(kPending,
           absl::StrCat(what, " due before ", EventWords(o.due_before)),
           std::move(fixes));
}

// What records a document of `type` (covering `version` when not empty).
std::vector<std::string> DocumentFix(aigov::v1::DocumentType type,
                                     const std::string& version) {
  return FixWords(
      absl::StrCat("EvidenceDocument.type=",
                   absl::StripPrefix(aigov::v1::DocumentType_Name(type),
                                     "DOCUMENT_TYPE_")),
      version.empty() ? "" : absl::StrCat(" covering ", version));
}

// The fixes of the vocabulary's `term` among `terms`, in words.
std::vector<std::string> TermFix(absl::Span<const Term> terms,
                                 absl::string_view term) {
  return FixWords(FixOf(terms, term));
}

void Append(std::vector<std::string> more, std::vector<std::string>* to) {
  for (std::string& m : more) to->push_back(std::move(m));
}

std::optional<Occ> Earliest(std::vector<Occ> occs) {
  std::optional<Occ> best;
  for (Occ& o : occs) {
    if (!best || o.at < best->at) best = std::move(o);
  }
  return best;
}

// A valid document of `type` about the system (and covering `version` when
// set), newest first.
const aigov::internal::v1::DocumentFact* FindDocument(
    const Ctx& c, aigov::v1::DocumentType type, const std::string* version,
    std::string* problem) {
  const aigov::internal::v1::DocumentFact* best = nullptr;
  for (const auto& d : c.r.documents()) {
    const auto& rec = d.record();
    if (rec.type() != type || !Seen(d.fact(), c.at)) continue;
    if (version != nullptr) {
      bool covers = false;
      for (const auto& mv : rec.covers_model_versions()) {
        covers |= VersionKey(mv.model_id(), mv.version()) == *version;
      }
      if (!covers) continue;
    }
    if (rec.has_valid_from() && TimeOf(rec.valid_from()) > c.at) {
      c.Due(TimeOf(rec.valid_from()));
      *problem = absl::StrCat(" (", rec.document_id(), " valid from ",
                              Day(TimeOf(rec.valid_from())), ")");
      continue;
    }
    if (rec.has_valid_until() && TimeOf(rec.valid_until()) <= c.at) {
      *problem = absl::StrCat(" (", rec.document_id(), " expired on ",
                              Day(TimeOf(rec.valid_until())), ")");
      continue;
    }
    if (rec.has_valid_until()) c.Due(TimeOf(rec.valid_until()));
    if (best == nullptr || d.fact().sequence() > best->fact().sequence()) {
      best = &d;
    }
  }
  return best;
}

std::vector<aigov::v1::DocumentType> RequiredDocuments(const Ctx& c,
                                                       const Obligation& o) {
  std::vector<aigov::v1::DocumentType> types = o.documents;
  // Art. 53(2): open-source models without systemic risk are exempt from
  // (a) and (b), the Annex XI and XII documentation.
  if (o.id == "AIA-29" && !c.risk().open_source_licence().empty() &&
      !c.cls.gpai_systemic_risk) {
    types.erase(
        std::remove_if(types.begin(), types.end(),
                       [](aigov::v1::DocumentType t) {
                         return t == aigov::v1::DOCUMENT_TYPE_GPAI_ANNEX_XI ||
                                t == aigov::v1::DOCUMENT_TYPE_GPAI_ANNEX_XII;
                       }),
        types.end());
  }
  return types;
}

void CheckDocuments(const Ctx& c, const Obligation& o, Acc* acc) {
  const std::vector<aigov::v1::DocumentType> types = RequiredDocuments(c, o);
  if (types.empty()) return;
  if (o.cover == Cover::kSystem) {
    std::vector<std::string> missing;
    std::vector<std::string> fixes;
    for (aigov::v1::DocumentType t : types) {
      std::string problem;
      const auto* d = FindDocument(c, t, nullptr, &problem);
      if (d == nullptr) {
        missing.push_back(DocName(t) + problem);
        Append(DocumentFix(t, ""), &fixes);
      } else {
        acc->Cite(d->fact());
        acc->met.push_back(
            absl::StrCat(DocName(t), " ", d->record().document_id()));
      }
    }
    if (!missing.empty()) {
      std::optional<Occ> due;
      if (!o.due_before.empty()) {
        due = Earliest(Occurrences(c, o.due_before, nullptr));
      }
      Missing(o, absl::StrJoin(missing, ", "), due, std::move(fixes), acc);
    }
    return;
  }
  if (c.deployed.empty()) {
    acc->met.push_back("no model version deployed");
    return;
  }
  for (const VersionFact* v : c.deployed) {
    const std::string key =
        VersionKey(v->record().model_id(), v->record().version());
    std::vector<std::string> missing;
    std::vector<std::string> fixes;
    for (aigov::v1::DocumentType t : types) {
      std::string problem;
      const auto* d = FindDocument(c, t, &key, &problem);
      // Art. 43(4): a change within the predetermined change plan is
      // covered by its parent's assessment.
      if (d == nullptr && o.id == "AIA-16" &&
          !c.risk().predetermined_change_plan_ref().empty() &&
          !v->record().parent_version().empty() &&
          v->record().change_class() != aigov::v1::CHANGE_CLASS_REDESIGN) {
        const std::string parent =
            VersionKey(v->record().model_id(), v->record().parent_version());
        d = FindDocument(c, t, &parent, &problem);
      }
      if (d == nullptr) {
        missing.push_back(DocName(t) + problem);
        Append(DocumentFix(t, key), &fixes);
      } else {
        acc->Cite(d->fact());
      }
    }
    if (missing.empty()) {
      acc->met.push_back(absl::StrCat(key, " covered"));
      continue;
    }
    std::optional<Occ> due;
    auto it = c.first_deployed.find(key);
    if (it != c.first_deployed.end()) due = it->second;
    Missing(o, absl::StrCat(key, ": ", absl::StrJoin(missing, ", ")), due,
            std::move(fixes), acc);
  }
}

void CheckAttributes(const Ctx& c, const Obligation& o, Acc* acc) {
  std::vector<std::string> missing;
  std::vector<std::string> fixes;
  for (const std::string& a : o.attributes) {
    auto it = AttributeTable().find(a);
    if (it == AttributeTable().end()) continue;
    std::vector<std::string> lacking = it->second(c);
    if (!lacking.empty()) Append(TermFix(Attributes(), a), &fixes);
    for (std::string& m : lacking) missing.push_back(std::move(m));
  }
  if (missing.empty()) {
    if (!o.attributes.empty()) acc->Cite(c.r.system_fact());
    return;
  }
  if (missing.size() > 4) {
    const size_t more = missing.size() - 3;
    missing.resize(3);
    missing.push_back(absl::StrCat("and ", more, " more"));
  }
  std::optional<Occ> due;
  if (!o.due_before.empty()) {
    due = Earliest(Occurrences(c, o.due_before, nullptr));
  }
  Missing(o, absl::StrJoin(missing, ", "), due, std::move(fixes), acc);
}

// Events whose occurrences are about the system as a whole: evidence that
// they exist, not per clock instance.
bool SystemLevelEvent(const std::string& e) {
  return e == "metric_sample" || e == "training_record" ||
         e == "oversight_action" || e == "purge_run" ||
         e == "transfer_recorded";
}

void CheckEvents(const Ctx& c, const Obligation& o, Acc* acc) {
  for (const std::string& e : o.evidence_events) {
    if (o.clock && !SystemLevelEvent(e)) continue;  // per instance
    std::vector<Occ> occs = Occurrences(c, e, nullptr);
    if (occs.empty()) {
      std::optional<Occ> due;
      if (!o.due_before.empty()) {
        due = Earliest(Occurrences(c, o.due_before, nullptr));
      }
      Missing(o, EventWords(e), due, TermFix(Events(), e), acc);
      continue;
    }
    const Occ* latest = &occs.front();
    for (const Occ& x : occs) {
      if (x.at > latest->at) latest = &x;
    }
    acc->Cite(*latest);
  }
}

absl::Time End(const Ctx& c, absl::Time start, const Period& p) {
  if (p.unit == Period::Unit::kConfig) {
    if (p.config_key == "gdpr_breach_window") {
      return start + c.s.gdpr_breach_window;
    }
    return start + c.s.immediate_action_sla;
  }
  return PeriodEnd(start, p.unit, p.count);
}

std::string PeriodWords(const Ctx& c, const Period& p) {
  switch (p.unit) {
    case Period::Unit::kHours:
      return absl::StrCat(p.count, " h");
    case Period::Unit::kDays:
      return absl::StrCat(p.count, p.count == 1 ? " day" : " days");
    case Period::Unit::kWeeks:
      return absl::StrCat(p.count, p.count == 1 ? " week" : " weeks");
    case Period::Unit::kMonths:
      return absl::StrCat(p.count, p.count == 1 ? " month" : " months");
    case Period::Unit::kConfig:
      return absl::StrCat(
          absl::FormatDuration(p.config_key == "gdpr_breach_window"
                                   ? c.s.gdpr_breach_window
                                   : c.s.immediate_action_sla),
          " (compliance.", p.config_key, ")");
  }
  return "";
}

// One clock instance: from `start`, for `period`, until `stop` (an event
// about the same instance), extended by `clock.extension` when
// `clock.extension_when` happened first; evidence events of the obligation
// are due by the same deadline.
void RunClock(const Ctx& c, const Obligation& o, const Clock& clock,
              const Occ& start, Acc* acc) {
  Period period = clock.period;
  for (const ClockCase& k : clock.cases) {
    if (Holds(c, k.when, &start)) {
      period = k.period;
      break;
    }
  }
  absl::Time deadline = End(c, start.at, period);
  std::string words = PeriodWords(c, period);
  if (!clock.extension_when.empty()) {
    std::optional<Occ> ext =
        Earliest(Occurrences(c, clock.extension_when, &start));
    if (ext && ext->at <= deadline) {
      acc->Cite(*ext);
      if (clock.extension.unit == period.unit) {
        deadline =
            End(c, start.at,
                Period{period.unit, period.count + clock.extension.count, ""});
      } else {
        deadline = End(c, deadline, clock.extension);
      }
      absl::StrAppend(&words, " + ", PeriodWords(c, clock.extension),
                      " extended");
    }
  }
  acc->Cite(start);
  const std::string label =
      start.label.empty() ? EventWords(clock.start) : start.label;

  // The stop and the evidence due with it.
  std::vector<std::string> todo;
  std::vector<std::string> fixes;
  std::optional<Occ> stop;
  for (Occ& s : Occurrences(c, clock.stop, &start)) {
    if (s.at >= start.at && (!stop || s.at < stop->at)) stop = std::move(s);
  }
  if (!stop) {
    todo.push_back(EventWords(clock.stop));
    Append(TermFix(Events(), clock.stop), &fixes);
  }
  std::optional<absl::Time> done_at =
      stop ? std::optional(stop->at) : std::nullopt;
  if (stop) acc->Cite(*stop);
  for (const std::string& e : o.evidence_events) {
    if (SystemLevelEvent(e) || e == clock.stop) continue;
    std::optional<Occ> ev;
    for (Occ& s : Occurrences(c, e, &start)) {
      if (s.at >= start.at && (!ev || s.at < ev->at)) ev = std::move(s);
    }
    if (!ev) {
      todo.push_back(EventWords(e));
      Append(TermFix(Events(), e), &fixes);
    } else {
      acc->Cite(*ev);
      if (done_at && ev->at > *done_at) done_at = ev->at;
    }
  }

  if (todo.empty()) {
    if (*done_at <= deadline) {
      acc->met.push_back(
          absl::StrCat(label, ": done on ", Day(*done_at), ", within ", words));
    } else {
      // Late and done: nothing recorded now removes it; the record says why.
      acc->Add(kViolated,
               absl::StrCat(label, ": done on ", Day(*done_at), ", ",
                            Span(*done_at - deadline), " after the deadline ",
                            Instant(deadline), " (", words, ")"),
               {"nothing to record: done late (keep the record of why; the "
                "finding stays)"},
               deadline);
    }
    return;
  }
  const std::string need = absl::StrJoin(todo, "; ");
  if (c.at > deadline) {
    acc->Add(
        kViolated,
        absl::StrCat(label, ": ", need, " overdue since ", Instant(deadline),
                     " (", words, " from ", Instant(start.at), ")"),
        fixes, deadline);
    return;
  }
  const absl::Duration whole = deadline - start.at;
  const absl::Time risk_at =
      std::min(start.at + whole * c.s.at_risk_share, deadline - kAtRiskWithin);
  c.Due(deadline + absl::Nanoseconds(1));
  c.Due(risk_at + absl::Nanoseconds(1));
  const std::string left = Span(deadline - c.at);
  if (c.at > risk_at) {
    acc->Add(kAtRisk,
             absl::StrCat(label, ": ", need, " due by ", Instant(deadline),
                          " (", words, "), ", left, " left"),
             fixes, deadline);
  } else {
    acc->Add(kPending,
             absl::StrCat(label, ": ", need, " due by ", Instant(deadline),
                          " (", words, ")"),
             fixes, deadline);
  }
}

void CheckClock(const Ctx& c, const Obligation& o, Acc* acc) {
  if (!o.clock) return;
  for (const Occ& start : Occurrences(c, o.clock->start, nullptr)) {
    // The obligation's conditions about its instances (which incidents,
    // breaches or requests it is about) hold for this one.
    bool holds = true;
    for (const std::string& cond : o.applies) holds &= Holds(c, cond, &start);
    if (!holds) continue;
    RunClock(c, o, *o.clock, start, acc);
  }
}

// ---- What the catalog says in `in_code` -----------------------------------

bool VersionDeployed(const Ctx& c, const std::string& key) {
  for (const VersionFact* v : c.deployed) {
    if (VersionKey(v->record().model_id(), v->record().version()) == key)
      return true;
  }
  return false;
}

void InCode(const Ctx& c, const Obligation& o, Acc* acc) {
  if (o.id == "AIA-01") {
    // Per person needs their ids, which the engine never holds: the
    // training records are counted against the people with a role.
    size_t people = 0;
    for (const auto& p : c.r.system().people()) {
      people += ContainsIgnoreCase(p.role(), "overseer") ||
                ContainsIgnoreCase(p.role(), "operator");
    }
    const size_t records =
        Documents(c, aigov::v1::DOCUMENT_TYPE_TRAINING_RECORD).size();
    if (people > 0 && records > 0 && records < people) {
      acc->Add(kViolated,
               absl::StrCat(records, " training records for ", people,
                            " people with an overseer or operator role"),
               TermFix(Events(), "training_record"));
    }
  } else if (o.id == "AIA-02") {
    std::vector<std::string> enabled;
    for (const auto& d : c.r.deployments()) {
      if (Seen(d.fact(), c.at) &&
          d.record().state() == aigov::v1::DEPLOYMENT_STATE_ENABLED) {
        enabled.push_back(d.record().deployment_id());
        acc->Cite(d.fact());
      }
    }
    acc->Cite(c.r.system_fact());
    if (!enabled.empty()) {
      acc->Add(kViolated,
               absl::StrCat("prohibited practice deployed (",
                            absl::StrJoin(enabled, ", "), "): withdraw it"),
               TermFix(Remedies(), "withdraw_prohibited"));
    } else {
      acc->met.push_back("no deployment of the system is enabled");
    }
  } else if (o.id == "AIA-03") {
    if (c.risk().performs_profiling()) {
      acc->Cite(c.r.system_fact());
      acc->Add(kViolated,
               "the Art. 6(3) derogation is void: the system profiles "
               "natural persons, so it is high-risk",
               TermFix(Remedies(), "derogation_void"));
    }
  } else if (o.id == "AIA-04") {
    // Art. 9(2)(c): each drift ALERT or breach of a deployed version opens
    // a risk review, met by a RISK_REGISTER recorded after it.
    for (const Occ& d : Occurrences(c, "drift_or_breach_reported", nullptr)) {
      acc->Cite(d);
      bool reviewed = false;
      for (const Occ& r :
           Documents(c, aigov::v1::DOCUMENT_TYPE_RISK_REGISTER)) {
        if (r.at > d.at) {
          reviewed = true;
          acc->Cite(r);
        }
      }
      if (!reviewed) {
        acc->Add(kPending,
                 absl::StrCat(d.label, " on ", Day(d.at),
                              ": a risk review (a RISK_REGISTER recorded "
                              "after it) is expected"),
                 TermFix(Events(), "risk_review"));
      }
    }
    // Art. 9(8): tested before being placed on the market.
    for (const auto& [key, first] : c.first_deployed) {
      if (!VersionDeployed(c, key)) continue;
      std::string problem;
      if (FindDocument(c, aigov::v1::DOCUMENT_TYPE_TEST_REPORT, &key,
                       &problem) == nullptr) {
        acc->Cite(first);
        acc->Add(kViolated,
                 absl::StrCat(key,
                              ": TEST_REPORT not recorded; due before "
                              "its deployment on ",
                              Day(first.at)),
                 FixWords(FixOf(Remedies(), "test_report"),
                          absl::StrCat(" covering ", key)));
      }
    }
  } else if (o.id == "AIA-12") {
    for (const auto& m : c.r.monitoring()) {
      const std::string key = VersionKey(m.model_id(), m.version());
      if (m.in_alert() && Seen(m.last_sample(), c.at) &&
          VersionDeployed(c, key)) {
        acc->Cite(m.last_sample());
        acc->Add(kViolated, absl::StrCat(key, " is in drift ALERT"),
                 TermFix(Remedies(), "drift_alert"));
      }
    }
    for (const Occ& d : Occurrences(c, "drift_or_breach_reported", nullptr)) {
      if (d.drift == nullptr || !d.drift->performance_breach()) continue;
      bool corrected = false;
      for (const Occ& x : Occurrences(c, "corrective_action", &d)) {
        corrected |= x.at > d.at;
      }
      if (!corrected) {
        acc->Cite(d);
        acc->Add(kViolated,
                 absl::StrCat(d.label, " below its declared level since ",
                              Day(d.at), ", with no corrective action"),
                 TermFix(Events(), "corrective_action"));
      }
    }
  } else if (o.id == "AIA-19") {
    for (const VersionFact* v : c.deployed) {
      const std::string key =
          VersionKey(v->record().model_id(), v->record().version());
      std::optional<absl::Time> last;
      for (const auto& m : c.r.monitoring()) {
        if (VersionKey(m.model_id(), m.version()) == key &&
            Seen(m.last_sample(), c.at)) {
          last = TimeOf(m.last_sample().at());
          acc->Cite(m.last_sample());
        }
      }
      if (!last) continue;  // the catalog's metric_sample says "none"
      const absl::Time stale = *last + c.s.metric_freshness;
      if (c.at > stale) {
        acc->Add(kViolated,
                 absl::StrCat(key,
                              ": no performance sample or drift "
                              "evaluation since ",
                              Instant(*last), " (compliance.metric_freshness ",
                              absl::FormatDuration(c.s.metric_freshness), ")"),
                 TermFix(Events(), "metric_sample"));
      } else {
        c.Due(stale + absl::Nanoseconds(1));
      }
    }
    for (const VersionFact* v : c.deployed) {
      const std::string key =
          VersionKey(v->record().model_id(), v->record().version());
      bool any = false;
      for (const auto& m : c.r.monitoring()) {
        any |= VersionKey(m.model_id(), m.version()) == key &&
               Seen(m.last_sample(), c.at);
      }
      if (!any) {
        acc->Add(kViolated,
                 absl::StrCat(key,
                              ": deployed with no performance sample or "
                              "drift evaluation"),
                 TermFix(Events(), "metric_sample"));
      }
    }
  } else if (o.id == "AIA-20") {
    // Art. 73(6): no change to the system while an incident is open and
    // unreported.
    for (const Occ& inc : Occurrences(c, "incident_aware", nullptr)) {
      std::optional<Occ> told = Earliest(Occurrences(c, "notified_msa", &inc));
      for (const auto& ch : c.r.changes()) {
        const absl::Time t = TimeOf(ch.fact().at());
        if (Seen(ch.fact(), c.at) && t > inc.at && (!told || t < told->at)) {
          acc->Cite(ch.fact());
          acc->Add(kViolated,
                   absl::StrCat("deployment ", ch.deployment_id(),
                                " changed on ", Day(t), " while ", inc.label,
                                " was unreported (Art. 73(6))"),
                   TermFix(Events(), "notified_msa"));
          break;
        }
      }
    }
  } else if (o.id == "AIA-26") {
    // Art. 50(2): every enabled production deployment marks its output,
    // shown by a recent sample with every sampled output marked.
    size_t serving = 0;
    for (const auto& [id, ch] : c.deployments) {
      if (ch->state() != aigov::v1::DEPLOYMENT_STATE_ENABLED ||
          ch->environment() != aigov::v1::ENVIRONMENT_PROD) {
        continue;
      }
      ++serving;
      const aigov::internal::v1::MarkingFact* last =
          NewestMarking(c.r, id, c.at);
      if (last == nullptr) {
        acc->Cite(ch->fact());
        acc->Add(kViolated,
                 absl::StrCat("deployment ", id,
                              ": no marking evidence recorded (a "
                              "MarkingEvidence sample of its outputs)"),
                 TermFix(Remedies(), "marking_sample"));
        continue;
      }
      acc->Cite(last->fact());
      const auto& m = last->record();
      const absl::Time sampled = TimeOf(m.sampled_at());
      const absl::Time stale = sampled + c.s.marking_freshness;
      const std::string method = absl::AsciiStrToLower(absl::StripPrefix(
          aigov::v1::MarkingMethod_Name(m.method()), "MARKING_METHOD_"));
      if (m.outputs_marked() < m.outputs_sampled()) {
        acc->Add(
            kViolated,
            absl::StrCat("deployment ", id, ": ",
                         m.outputs_sampled() - m.outputs_marked(), " of ",
                         m.outputs_sampled(), " sampled outputs carried no ",
                         method, " marking on ", Day(sampled)),
            TermFix(Remedies(), "marking_sample"));
      } else if (c.at > stale) {
        acc->Add(
            kViolated,
            absl::StrCat("deployment ", id, ": marking last sampled on ",
                         Instant(sampled), " (compliance.marking_freshness ",
                         absl::FormatDuration(c.s.marking_freshness), ")"),
            TermFix(Remedies(), "marking_sample"));
      } else {
        c.Due(stale + absl::Nanoseconds(1));
        acc->met.push_back(absl::StrCat("deployment ", id, ": ",
                                        m.outputs_marked(), " of ",
                                        m.outputs_sampled(),
                                        " sampled outputs "
                                        "marked (",
                                        method, ") on ", Day(sampled)));
      }
    }
    if (serving == 0) {
      acc->met.push_back("no enabled production deployment");
    }
  } else if (o.id == "GDPR-02") {
    if (c.gdpr().lawful_basis() ==
        aigov::v1::LAWFUL_BASIS_LEGITIMATE_INTERESTS) {
      std::string problem;
      const auto* d = FindDocument(
          c, aigov::v1::DOCUMENT_TYPE_LEGITIMATE_INTEREST_ASSESSMENT, nullptr,
          &problem);
      if (d == nullptr) {
        acc->Add(kViolated,
                 "LEGITIMATE_INTEREST_ASSESSMENT not recorded" + problem,
                 TermFix(Remedies(), "legitimate_interest_assessment"));
      } else {
        acc->Cite(d->fact());
      }
    }
  } else if (o.id == "GDPR-04") {
    // Art. 14(3)(a): within one month of obtaining data not collected from
    // the subject.
    std::optional<Occ> notice =
        Earliest(Documents(c, aigov::v1::DOCUMENT_TYPE_PRIVACY_NOTICE));
    for (const auto& d : c.r.datasets()) {
      if (!d.record().contains_personal_data() ||
          d.record().subjects_informed() || !Seen(d.fact(), c.at)) {
        continue;
      }
      const absl::Time got = TimeOf(d.fact().at());
      const absl::Time by = PeriodEnd(got, Period::Unit::kMonths, 1);
      if (notice && notice->at <= by) continue;
      const std::string key =
          absl::StrCat(d.record().dataset_id(), "@", d.record().version());
      acc->Cite(d.fact());
      if (c.at > by) {
        acc->Add(kViolated,
                 absl::StrCat("dataset ", key,
                              " holds personal data not collected from the "
                              "subjects: PRIVACY_NOTICE overdue since ",
                              Instant(by), " (Art. 14(3), one month)"),
                 TermFix(Remedies(), "privacy_notice"), by);
      } else if (!notice) {
        c.Due(by + absl::Nanoseconds(1));
        acc->Add(kPending,
                 absl::StrCat("dataset ", key,
                              ": PRIVACY_NOTICE to its subjects due by ",
                              Instant(by), " (Art. 14(3), one month)"),
                 TermFix(Remedies(), "privacy_notice"), by);
      }
    }
  } else if (o.id == "GDPR-08") {
    // Each contest of a decision is answered within the Art. 12(3) month.
    Clock month;
    month.start = "dsr_received";
    month.stop = "dsr_completed";
    month.period = Period{Period::Unit::kMonths, 1, ""};
    month.extension_when = "dsr_extended";
    month.extension = Period{Period::Unit::kMonths, 2, ""};
    for (const Occ& q : Occurrences(c, "dsr_received", nullptr)) {
      if (Holds(c, "dsr_art22_contest", &q)) RunClock(c, o, month, q, acc);
    }
  } else if (o.id == "GDPR-11") {
    acc->met.push_back(
        "aigovd seals personal data under per-subject keys and keeps the "
        "record in a verifiable journal; encryption of the system's own "
        "stores is attested, not observed");
  }
}

// The classification sentence a finding about `o` rests on, if any.
std::string ClassificationWords(const Ctx& c, const Obligation& o) {
  const auto uses = [&o](absl::string_view cond) {
    return std::find(o.applies.begin(), o.applies.end(), cond) !=
           o.applies.end();
  };
  absl::string_view prefix;
  if (uses("high_risk")) {
    prefix = "high-risk";
  } else if (uses("prohibited_practice")) {
    prefix = "prohibited";
  } else if (uses("gpai_model")) {
    prefix = "GPAI";
  } else {
    return "";
  }
  for (const std::string& r : c.cls.reasons) {
    if (absl::StartsWith(r, prefix)) return r;
  }
  return "";
}

Finding EvaluateOne(const Ctx& c, const Obligation& o) {
  Finding f;
  f.obligation = &o;
  const std::string why = ClassificationWords(c, o);
  const auto with_why = [&why](std::string reason) {
    return why.empty() ? reason : absl::StrCat(reason, " [", why, "]");
  };

  for (const std::string& cond : o.applies) {
    if (!Holds(c, cond, nullptr)) {
      const Term* t = Find(Conditions(), cond);
      f.status = aigov::v1::FINDING_STATUS_NOT_APPLICABLE;
      f.reason = absl::StrCat("applies only when: ",
                              t == nullptr ? cond : t->description);
      return f;
    }
  }
  if (!o.applies_any.empty()) {
    bool any = false;
    std::vector<std::string> words;
    for (const std::string& cond : o.applies_any) {
      any |= Holds(c, cond, nullptr);
      const Term* t = Find(Conditions(), cond);
      words.push_back(t == nullptr ? cond : std::string(t->description));
    }
    if (!any) {
      f.status = aigov::v1::FINDING_STATUS_NOT_APPLICABLE;
      f.reason = absl::StrCat("applies only when one of: ",
                              absl::StrJoin(words, "; "));
      return f;
    }
  }
  std::string key = o.applies_from;
  for (const DateCase& dc : o.applies_from_cases) {
    if (Holds(c, dc.when, nullptr)) {
      key = dc.date;
      break;
    }
  }
  const std::optional<absl::Time> from = c.RegimeDate(key);
  if (!from) {
    f.status = aigov::v1::FINDING_STATUS_NOT_APPLICABLE;
    f.reason =
        absl::StrCat("no such provision under ", c.regime.id, " (", key, ")");
    return f;
  }
  if (c.at < *from) {
    c.Due(*from);
    f.status = aigov::v1::FINDING_STATUS_NOT_YET_APPLICABLE;
    f.reason = with_why(absl::StrCat("applies from ", Day(*from), " under ",
                                     c.regime.id, " (", key, ")"));
    return f;
  }

  Acc acc;
  CheckDocuments(c, o, &acc);
  CheckEvents(c, o, &acc);
  CheckAttributes(c, o, &acc);
  CheckClock(c, o, &acc);
  if (!o.in_code.empty()) InCode(c, o, &acc);

  std::sort(acc.evidence.begin(), acc.evidence.end());
  acc.evidence.erase(std::unique(acc.evidence.begin(), acc.evidence.end()),
                     acc.evidence.end());
  f.evidence = std::move(acc.evidence);

  int worst = 0;
  for (const Part& p : acc.parts) worst = std::max(worst, Rank(p.status));
  if (worst == 0) {
    f.status = kSatisfied;
    f.reason = with_why(
        acc.met.empty() ? std::string("met")
                        : absl::StrCat("met: ", absl::StrJoin(acc.met, "; ")));
    return f;
  }
  std::vector<std::string> reasons;
  for (const Part& p : acc.parts) {
    if (p.deadline && (!f.deadline || *p.deadline < *f.deadline) &&
        Rank(p.status) >= Rank(kPending)) {
      f.deadline = p.deadline;
    }
    if (Rank(p.status) != worst) continue;
    f.status = p.status;
    if (reasons.size() < 3) reasons.push_back(p.reason);
    for (const std::string& x : p.fixes) {
      if (std::find(f.to_fix.begin(), f.to_fix.end(), x) == f.to_fix.end()) {
        f.to_fix.push_back(x);
      }
    }
  }
  size_t count = 0;
  for (const Part& p : acc.parts) count += Rank(p.status) == worst;
  std::string reason = absl::StrJoin(reasons, "; ");
  if (count > reasons.size()) {
    absl::StrAppend(&reason, "; and ", count - reasons.size(), " more");
  }
  f.reason = with_why(std::move(reason));
  return f;
}

Ctx MakeCtx(const SystemRecord& r, const Regime& regime, const Settings& s,
            absl::Time at, std::vector<absl::Time>* due) {
  Ctx c{r, regime, s, at, Classify(r.system().risk()), {}, {}, {}, {}, due};
  for (const auto& ch : r.changes()) {
    if (!Seen(ch.fact(), at)) continue;
    c.deployments[ch.deployment_id()] = &ch;
    if (ch.state() != aigov::v1::DEPLOYMENT_STATE_ENABLED ||
        ch.environment() != aigov::v1::ENVIRONMENT_PROD) {
      continue;
    }
    const absl::Time t = TimeOf(ch.fact().at());
    const std::string key =
        VersionKey(ch.model_version().model_id(), ch.model_version().version());
    Occ o = OccOf(ch.fact(), t, key);
    o.label = absl::StrCat(key, " deployed (", ch.deployment_id(), ")");
    if (!c.first_deployment || t < c.first_deployment->at) {
      c.first_deployment = o;
    }
    c.first_deployed.emplace(key, o);
  }
  for (const auto& [id, ch] : c.deployments) {
    if (ch->state() != aigov::v1::DEPLOYMENT_STATE_ENABLED ||
        ch->environment() != aigov::v1::ENVIRONMENT_PROD) {
      continue;
    }
    const VersionFact* v = c.Version(VersionKey(ch->model_version().model_id(),
                                                ch->model_version().version()));
    if (v != nullptr && std::find(c.deployed.begin(), c.deployed.end(), v) ==
                            c.deployed.end()) {
      c.deployed.push_back(v);
    }
  }
  return c;
}

}  // namespace

const char* StatusName(aigov::v1::FindingStatus s) {
  switch (s) {
    case aigov::v1::FINDING_STATUS_SATISFIED:
      return "SATISFIED";
    case aigov::v1::FINDING_STATUS_PENDING:
      return "PENDING";
    case aigov::v1::FINDING_STATUS_AT_RISK:
      return "AT_RISK";
    case aigov::v1::FINDING_STATUS_VIOLATED:
      return "VIOLATED";
    case aigov::v1::FINDING_STATUS_NOT_APPLICABLE:
      return "NOT_APPLICABLE";
    case aigov::v1::FINDING_STATUS_NOT_YET_APPLICABLE:
      return "NOT_YET_APPLICABLE";
    default:
      return "UNSPECIFIED";
  }
}

const Regime& RegimeAt(const Catalog& catalog, const Regime& configured,
                       absl::Time at) {
  const Regime* r = &configured;
  for (int hops = 0;
       hops < 8 && !r->before.empty() &&
       at < absl::FromCivil(r->in_force_from, absl::UTCTimeZone());
       ++hops) {
    const Regime* before = catalog.FindRegime(r->before);
    if (before == nullptr) break;
    r = before;
  }
  return *r;
}

absl::StatusOr<Evaluation> Evaluate(const SystemRecord& record,
                                    const Catalog& catalog,
                                    const Regime& configured,
                                    const Settings& settings, absl::Time at) {
  Evaluation out;
  const Regime& regime = RegimeAt(catalog, configured, at);
  out.regime = &regime;
  std::vector<absl::Time> due;
  // The regime that answers changes at the configured one's start.
  if (&regime != &configured) {
    due.push_back(
        absl::FromCivil(configured.in_force_from, absl::UTCTimeZone()));
  }
  const Ctx c = MakeCtx(record, regime, settings, at, &due);
  out.classification = c.cls;
  out.findings.reserve(catalog.obligations.size());
  for (const Obligation& o : catalog.obligations) {
    out.findings.push_back(EvaluateOne(c, o));
  }
  for (absl::Time t : due) {
    if (t > at && (!out.next_due || t < *out.next_due)) out.next_due = t;
  }
  return out;
}

std::vector<std::string> Unbound() {
  std::vector<std::string> out;
  for (const Term& t : Conditions()) {
    if (!ConditionTable().count(std::string(t.name)))
      out.push_back(absl::StrCat("condition:", t.name));
  }
  for (const Term& t : Events()) {
    if (!EventTable().count(std::string(t.name)))
      out.push_back(absl::StrCat("event:", t.name));
  }
  for (const Term& t : Attributes()) {
    if (!AttributeTable().count(std::string(t.name)))
      out.push_back(absl::StrCat("attribute:", t.name));
  }
  return out;
}

}  // namespace aigov::rules
