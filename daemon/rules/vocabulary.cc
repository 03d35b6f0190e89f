#include "daemon/rules/vocabulary.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "daemon/common/status_macros.h"

namespace aigov::rules {
namespace {

// "HR" is high-risk as REGULATION.md §1.3 decides it: Art. 6(1) (an Annex I
// product needing third-party conformity assessment), or an Annex III point
// without a valid Art. 6(3) derogation (never valid when the system
// profiles natural persons).
constexpr Term kConditions[] = {
    {"always", "true"},
    {"eu_nexus",
     "the system is placed on the EU market, put into service or "
     "its output used in the EU (risk.eu_market)"},
    {"provider", "the system's roles include provider"},
    {"deployer", "the system's roles include deployer"},
    {"gpai_provider", "the system's roles include GPAI model provider"},
    {"high_risk",
     "high-risk: Art. 6(1), or an Annex III point without a "
     "valid Art. 6(3) derogation"},
    {"annex_i_product",
     "risk.annex_i_product and third-party conformity "
     "assessment required (the Art. 6(1) route)"},
    {"annex_iii", "risk.annex_iii_point is set"},
    {"annex_iii_except_point_2",
     "an Annex III point other than 2 (critical infrastructure)"},
    {"annex_iii_1a", "Annex III point 1(a): remote biometric identification"},
    {"annex_iii_5b_5c",
     "Annex III point 5(b) or 5(c): creditworthiness, "
     "life or health insurance pricing"},
    {"art6_3_claimed", "an Art. 6(3) derogation is claimed"},
    {"performs_profiling", "the system profiles natural persons"},
    {"prohibited_practice", "any Art. 5 prohibited-practice flag is set"},
    {"prohibited_omnibus_point",
     "an Art. 5 flag among the Omnibus points (ba) intimate imagery or (bb) "
     "CSAM"},
    {"interacts_with_persons", "Art. 50(1): interacts with natural persons"},
    {"generates_synthetic_content",
     "Art. 50(2): generates synthetic audio, image, video or text"},
    {"placed_before_transparency_date",
     "first enabled deployment before the regime's transparency date "
     "(Art. 111(4) grace for Art. 50(2))"},
    {"emotion_or_biometric_categorisation",
     "Art. 50(3): emotion recognition or biometric categorisation"},
    {"deepfake_or_public_interest_text",
     "Art. 50(4): deepfakes or text published on matters of public interest"},
    {"gpai_model", "the system is or contains a general-purpose AI model"},
    {"gpai_placed_before_gpai_date",
     "a GPAI model version registered before the regime's GPAI date "
     "(Art. 111(3))"},
    {"gpai_compute_over_threshold",
     "training compute greater than 1e25 FLOP (Art. 51(2))"},
    {"gpai_systemic_risk",
     "systemic risk: over the compute threshold or designated by the "
     "Commission"},
    {"deployer_public_body",
     "the deployer is a public body, Union "
     "institution or acts on their behalf"},
    {"fria_scope",
     "Art. 27: a public body, a private entity providing public services, "
     "or Annex III 5(b)/(c)"},
    {"workplace_use", "used at the workplace"},
    {"decides_about_persons",
     "makes or assists decisions about natural persons"},
    {"annex_iii_decision_with_effect",
     "decisions on Annex III output (not point 2) with legal or similarly "
     "significant effect (Art. 86)"},
    {"trained_on_data", "a deployed model version names training datasets"},
    {"logs_under_provider_control",
     "the provider hosts the logs (system hosting is provider-side)"},
    {"drift_or_performance_breach",
     "a drift ALERT or a PerformanceBreach on a deployed model version: "
     "reason to consider non-conformity (Art. 9(2)(c), 15, 20)"},
    {"serious_incident",
     "an incident recorded as serious (Art. 3(49): any category but "
     "not-serious)"},
    {"incident_death", "the incident caused a death (Art. 73(4))"},
    {"incident_widespread_or_critical",
     "a widespread infringement or critical infrastructure (Art. 73(3))"},
    {"personal_data", "the system processes personal data"},
    {"special_categories",
     "special categories of personal data (GDPR Art. 9) in the system or a "
     "dataset it uses"},
    {"lawful_basis_legitimate_interest",
     "lawful basis Art. 6(1)(f) legitimate interests"},
    {"lawful_basis_public_task_or_legitimate_interest",
     "lawful basis Art. 6(1)(e) or (f): the Art. 21 right to object"},
    {"indirect_collection",
     "personal data in a dataset not collected from the subject (scraped, "
     "brokered or derived): Art. 14"},
    {"solely_automated_decision",
     "solely automated decisions with legal or similarly significant "
     "effect (Art. 22)"},
    {"ropa_required",
     "no Art. 30(5) exemption: 250 employees or more, or processing that is "
     "not occasional, likely risky, or of special or criminal data"},
    {"dpia_required",
     "Art. 35(3): profiling with legal effect, large-scale special "
     "categories, or large-scale systematic public monitoring"},
    {"transfers_outside_eea",
     "transfer destinations or hosting outside the EEA"},
    {"breach_recorded", "a personal-data breach is recorded"},
    {"breach_not_unlikely",
     "the breach is not recorded as unlikely to result in a risk"},
    {"breach_high_risk", "the breach is recorded as high risk (Art. 34)"},
    {"dsr_access", "a data-subject access request (Art. 15)"},
    {"dsr_erasure", "a data-subject erasure request (Art. 17)"},
    {"dsr_objection", "a data-subject objection (Art. 21)"},
    {"dsr_art22_contest", "a contest of a solely automated decision"},
    {"dsr_art86_explanation", "a request for an explanation (AI Act Art. 86)"},
};

constexpr Term kEvents[] = {
    {"first_eu_deployment",
     "the system's first enabled production deployment (placing on the "
     "market or putting into service)",
     "Deployment.state=ENABLED (with environment PROD)"},
    {"deployment_enabled", "an enabled deployment of the system",
     "Deployment.state=ENABLED"},
    {"model_version_deployed",
     "a model version of the system in an enabled deployment",
     "Deployment.model_version (an enabled deployment of the version)"},
    {"training_record", "a TRAINING_RECORD document for the system",
     "EvidenceDocument.type=TRAINING_RECORD (one per person with an overseer "
     "or operator role)"},
    {"oversight_action", "a human-oversight action on the system",
     "OversightAction.action (an approval, override or stop by an overseer)"},
    {"risk_review", "a RISK_REGISTER document newer than the event it reviews",
     "EvidenceDocument.type=RISK_REGISTER (a version recorded after the "
     "event)"},
    {"drift_or_breach_reported",
     "a drift evaluation in ALERT or a PerformanceBreach of a deployed "
     "model version",
     "PerformanceSample.value (or the agent's window profiles)"},
    {"corrective_action",
     "a new model version, a rollback or a disabled deployment after the "
     "event",
     "Deployment.state=ROLLED_BACK (or DISABLED, or a new ModelVersion "
     "deployed)"},
    {"incident_aware",
     "the instant the provider became aware of a serious "
     "incident",
     "Incident.aware_at"},
    {"notified_msa",
     "a notification to the market surveillance authority "
     "about the incident or system",
     "Notification.recipient=MARKET_SURVEILLANCE_AUTHORITY (with the "
     "incident_id or system_id)"},
    {"notified_provider", "a notification to the provider",
     "Notification.recipient=PROVIDER"},
    {"notified_deployer", "a notification to deployers or distributors",
     "Notification.recipient=DEPLOYER"},
    {"notified_ai_office", "a notification to the AI Office or Commission",
     "Notification.recipient=AI_OFFICE"},
    {"breach_aware", "the instant the controller became aware of a breach",
     "PersonalDataBreach.aware_at"},
    {"notified_sa",
     "a notification to the supervisory authority about the "
     "breach",
     "Notification.recipient=SUPERVISORY_AUTHORITY (with the breach_id)"},
    {"notified_subjects", "a notification to the data subjects",
     "Notification.recipient=DATA_SUBJECTS (with the breach_id)"},
    {"dsr_received", "a data-subject request received",
     "DataSubjectRequest.received_at"},
    {"dsr_extended", "the request's extension notified to the subject",
     "DataSubjectRequest.status=EXTENDED (notified to the subject)"},
    {"dsr_completed", "the request completed or refused with reasons",
     "DataSubjectRequest.status=COMPLETED (or REFUSED, with completed_at)"},
    {"erasure_decision",
     "a recorded decision for each model version the erasure affects "
     "(retrain, unlearn, suppress or anonymity assessment): an oversight "
     "action whose decision_ref is the request id, naming the version",
     "OversightAction.decision_ref (the request id, naming each affected model "
     "version)"},
    {"gpai_compute_recorded",
     "the profile entry recording training compute over the threshold",
     "AiSystem.risk.training_compute_flop"},
    {"metric_sample",
     "a performance sample or drift evaluation of a "
     "deployed model version",
     "PerformanceSample.value (for each deployed version, or the agent's "
     "window profiles)"},
    {"transfer_recorded", "a transfer outside the EEA",
     "AiSystem.gdpr.transfer_destinations"},
    {"purge_run",
     "aigovd's retention sweeper runs (journal.retention; its runs are not "
     "journalled)",
     "DaemonConfig.journal.retention.sweep_interval (aigovd's retention "
     "sweeper runs on it)"},
};

constexpr Term kAttributes[] = {
    {"risk.art6_3_condition",
     "the Art. 6(3) condition (a)-(d) the derogation rests on",
     "AiSystem.risk.art6_3_condition"},
    {"risk.predetermined_change_plan_ref",
     "the predetermined change plan (Art. 43(4), Annex IV 2(f))",
     "AiSystem.risk.predetermined_change_plan_ref"},
    {"system.overseers", "people with an overseer or operator role",
     "AiSystem.people.role (\"overseer\" or \"operator\")"},
    {"system.intended_purpose", "the intended purpose",
     "AiSystem.intended_purpose"},
    {"model.declared_metrics",
     "declared accuracy metrics with thresholds (Art. 13(3)(b), 15(3))",
     "ModelVersion.declared_metrics"},
    {"model.training_datasets", "the training datasets of each model version",
     "ModelVersion.training_datasets"},
    {"dataset.provenance", "each training dataset's source system",
     "DatasetVersion.source_system"},
    {"dataset.purpose", "each personal dataset's purpose",
     "DatasetVersion.purpose"},
    {"dataset.retention", "each personal dataset's retention",
     "DatasetVersion.retention_days"},
    {"dataset.lawful_basis", "each personal dataset's lawful basis",
     "DatasetVersion.lawful_basis"},
    {"dataset.bias_examination_ref",
     "each training dataset's bias "
     "examination",
     "DatasetVersion.bias_examination_ref"},
    {"dataset.representativeness_ref",
     "each training dataset's representativeness assessment",
     "DatasetVersion.representativeness_ref"},
    {"dataset.special_category_conditions",
     "Art. 9(2) exception or AI Act Art. 10(5)/4a conditions for special "
     "categories",
     "DatasetVersion.lawful_basis; DatasetVersion.anonymisation=PSEUDONYMISED"},
    {"dataset.anonymisation", "pseudonymisation or anonymisation level",
     "DatasetVersion.anonymisation"},
    {"gdpr.lawful_basis", "the system's lawful basis for inference",
     "AiSystem.gdpr.lawful_basis"},
    {"gdpr.retention_days",
     "the retention of inference logs with personal "
     "data",
     "AiSystem.gdpr.retention_days"},
    {"gdpr.transfer_mechanism",
     "adequacy, SCC/BCR or Art. 49 derogation per destination, recorded as "
     "CODE:MECHANISM in gdpr.transfer_destinations (\"US:SCC\")",
     "AiSystem.gdpr.transfer_destinations (as CODE:MECHANISM, \"US:SCC\")"},
    {"journal.retention.operational",
     "operational log retention at least six calendar months",
     "DaemonConfig.journal.retention.operational (at least 183 days)"},
    {"journal.retention.documentation",
     "documentation retention at least ten years",
     "DaemonConfig.journal.retention.documentation (at least 3652 days)"},
};

constexpr Term kRemedies[] = {
    {"withdraw_prohibited", "withdraw a prohibited practice",
     "Deployment.state=DISABLED (each enabled deployment)"},
    {"derogation_void", "an Art. 6(3) derogation claimed while profiling",
     "AiSystem.risk.art6_3_derogation_claimed (false: the system is "
     "high-risk)"},
    {"test_report", "a test report before deployment",
     "EvidenceDocument.type=TEST_REPORT"},
    {"marking_sample", "a fresh marking sample with every output marked",
     "MarkingEvidence.outputs_marked (equal to outputs_sampled)"},
    {"legitimate_interest_assessment", "the balancing test",
     "EvidenceDocument.type=LEGITIMATE_INTEREST_ASSESSMENT"},
    {"privacy_notice", "information to subjects of indirect collection",
     "EvidenceDocument.type=PRIVACY_NOTICE; DatasetVersion.subjects_informed"},
    {"drift_alert", "a deployed version in drift ALERT",
     "Deployment.state=ROLLED_BACK (or a retrained ModelVersion deployed); "
     "EvidenceDocument.type=RISK_REGISTER (the review of the drift)"},
};

}  // namespace

absl::Span<const Term> Conditions() { return kConditions; }
absl::Span<const Term> Events() { return kEvents; }
absl::Span<const Term> Attributes() { return kAttributes; }
absl::Span<const Term> Remedies() { return kRemedies; }

absl::string_view FixOf(absl::Span<const Term> terms, absl::string_view term) {
  const Term* t = Find(terms, term);
  AIGOV_CHECK(t != nullptr);
  return t->fix;
}

std::vector<std::string> FixWords(absl::string_view spec,
                                  absl::string_view suffix) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(spec, "; ", absl::SkipEmpty())) {
    absl::string_view note;
    if (const size_t open = item.find(" ("); open != absl::string_view::npos) {
      note = item.substr(open);
      item = item.substr(0, open);
    }
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos) {
      out.push_back(absl::StrCat("set ", item, suffix, note));
    } else {
      out.push_back(absl::StrCat("record ", item.substr(0, eq), " = ",
                                 item.substr(eq + 1), suffix, note));
    }
  }
  return out;
}

const Term* Find(absl::Span<const Term> terms, absl::string_view name) {
  for (const Term& t : terms) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace aigov::rules
