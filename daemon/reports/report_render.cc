#include "daemon/reports/report_render.h"

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

#include "daemon/rules/evaluate.h"

namespace aigov::reports {
namespace {

using aigov::v1::ComplianceReport;

// The CSS tone of a status: its name in lower case.
std::string Tone(const std::string& status) {
  return absl::AsciiStrToLower(status);
}

void Profile(const ComplianceReport& r, Document* doc) {
  Section& s = doc->Add(kReportSections[1]);
  const aigov::v1::AiSystem& sys = r.system();
  const aigov::v1::RiskProfile& risk = sys.risk();
  Block& f = s.Facts();
  f.facts.emplace_back("System", Cites(sys.system_id(), {r.system_sequence()}));
  f.facts.emplace_back("Name", Text(sys.name()));
  f.facts.emplace_back("Intended purpose", Text(sys.intended_purpose()));
  std::vector<std::string> roles;
  for (const int role : sys.roles()) {
    roles.push_back(absl::AsciiStrToLower(EnumText(
        aigov::v1::Role_Name(static_cast<aigov::v1::Role>(role)), "ROLE_")));
  }
  f.facts.emplace_back("Our roles", Text(absl::StrJoin(roles, ", ")));
  f.facts.emplace_back("Vendor",
                       Text(sys.vendor().empty() ? "in-house" : sys.vendor()));
  f.facts.emplace_back("Hosting", Text(sys.hosting()));
  f.facts.emplace_back("Jurisdiction", Text(sys.jurisdiction()));
  f.facts.emplace_back(
      "Annex III point",
      Text(risk.annex_iii_point().empty() ? "none" : risk.annex_iii_point()));
  f.facts.emplace_back("Profiling of persons",
                       Text(YesNoText(risk.performs_profiling())));
  f.facts.emplace_back("General-purpose AI model",
                       Text(YesNoText(risk.is_gpai_model())));
  f.facts.emplace_back("Generates synthetic content",
                       Text(YesNoText(risk.generates_synthetic_content())));
  f.facts.emplace_back("Personal data (GDPR)",
                       Text(YesNoText(sys.gdpr().personal_data())));
  std::vector<std::string> people;
  for (const aigov::v1::Person& p : sys.people()) people.push_back(p.role());
  f.facts.emplace_back("People (roles)", Text(absl::StrJoin(people, ", ")));
  f.facts.emplace_back("Risk class", Toned(r.risk_class(), ""));
  s.Heading("Why this classification");
  for (const std::string& reason : r.risk_reasons()) s.Paragraph(reason);
  if (r.risk_reasons().empty()) s.Paragraph("No classification rule applied.");
}

bool DoesNotApply(aigov::v1::FindingStatus s) {
  return s == aigov::v1::FINDING_STATUS_NOT_APPLICABLE ||
         s == aigov::v1::FINDING_STATUS_NOT_YET_APPLICABLE;
}

using rules::IsOpen;

// 0 for the most severe.
int SeverityRank(const std::string& severity) {
  if (severity == "critical") return 0;
  if (severity == "high") return 1;
  if (severity == "medium") return 2;
  if (severity == "low") return 3;
  return 4;
}

// A status cell: the readable label in the status's tone.
Cell StatusCell(aigov::v1::FindingStatus s) {
  return Toned(StatusLabel(s), Tone(StatusText(s)));
}

// "AIA-06 Technical documentation kept up to date".
std::string ObligationName(const aigov::v1::ReportObligation& o) {
  return absl::StrCat(o.obligation_id(), " ", o.title());
}

std::string FixText(const aigov::v1::ReportObligation& o) {
  return absl::StrJoin(o.to_fix(), "; ");
}

void Summary(const ComplianceReport& r, Document* doc) {
  Section& s = doc->Add(kReportSections[0]);
  std::vector<const aigov::v1::ReportObligation*> open;
  int satisfied = 0, not_applicable = 0, not_yet = 0;
  for (const auto& o : r.obligations()) {
    if (IsOpen(o.status())) open.push_back(&o);
    satisfied += o.status() == aigov::v1::FINDING_STATUS_SATISFIED;
    not_applicable += o.status() == aigov::v1::FINDING_STATUS_NOT_APPLICABLE;
    not_yet += o.status() == aigov::v1::FINDING_STATUS_NOT_YET_APPLICABLE;
  }
  std::map<aigov::v1::FindingStatus, int> by_status;
  for (const auto* o : open) ++by_status[o->status()];
  std::vector<std::string> parts;
  for (const auto st :
       {aigov::v1::FINDING_STATUS_VIOLATED, aigov::v1::FINDING_STATUS_AT_RISK,
        aigov::v1::FINDING_STATUS_PENDING}) {
    if (by_status[st] > 0) {
      parts.push_back(absl::StrCat(by_status[st], " ",
                                   absl::AsciiStrToLower(StatusLabel(st))));
    }
  }
  parts.push_back(absl::StrCat(satisfied, " satisfied"));
  parts.push_back(absl::StrCat(
      not_applicable + not_yet, " that do not apply",
      not_yet > 0 ? absl::StrCat(" (", not_yet, " not yet)") : ""));
  s.Paragraph(absl::StrCat(Counted(r.obligations_size(), "obligation"),
                           " under regime ", r.regime(), ": ",
                           absl::StrJoin(parts, ", "), "."));
  if (open.empty()) {
    s.Paragraph("Nothing is violated, at risk or pending.");
  } else {
    std::stable_sort(
        open.begin(), open.end(), [](const auto* a, const auto* b) {
          const auto key = [](const aigov::v1::ReportObligation* o) {
            return std::make_tuple(
                SeverityRank(o->severity()), -rules::StatusRank(o->status()),
                o->has_deadline() ? o->deadline().seconds() : INT64_MAX);
          };
          return key(a) < key(b);
        });
    s.Heading("What needs doing, most severe first");
    Block& t = s.Table(
        {"Obligation", "Severity", "Status", "Deadline", "Why", "To fix"});
    for (const auto* o : open) {
      t.rows.push_back({Text(ObligationName(*o)), Text(o->severity()),
                        StatusCell(o->status()),
                        When(o->deadline(), o->has_deadline()),
                        Text(o->reason()), Text(FixText(*o))});
    }
  }
  // Due next: the open obligations with a deadline, soonest first.
  std::vector<const aigov::v1::ReportObligation*> due;
  for (const auto* o : open) {
    if (o->has_deadline()) due.push_back(o);
  }
  std::stable_sort(due.begin(), due.end(), [](const auto* a, const auto* b) {
    return a->deadline().seconds() < b->deadline().seconds();
  });
  s.Heading("Due next");
  if (due.empty()) {
    s.Paragraph("No statutory clock runs for an open obligation.");
  } else {
    Block& f = s.Facts();
    for (const auto* o : due) {
      f.facts.emplace_back(
          TimeText(o->deadline(), true),
          Text(absl::StrCat(ObligationName(*o), " (",
                            absl::AsciiStrToLower(StatusLabel(o->status())),
                            ")")));
    }
  }
  // Missing evidence: what to record, once each, with the obligations it
  // serves.
  std::vector<std::string> fixes;
  std::map<std::string, std::vector<std::string>> needed_by;
  for (const auto* o : open) {
    for (const std::string& x : o->to_fix()) {
      if (needed_by[x].empty()) fixes.push_back(x);
      needed_by[x].push_back(o->obligation_id());
    }
  }
  if (!fixes.empty()) {
    s.Heading("Missing evidence and records");
    Block& t = s.Table({"To record", "For"});
    for (const std::string& x : fixes) {
      t.rows.push_back({Text(x), Text(absl::StrJoin(needed_by[x], ", "))});
    }
  }
  s.Heading(absl::StrCat("What changed since ",
                         TimeText(r.changes_since(), r.has_changes_since())));
  if (r.changes().empty()) {
    s.Paragraph("No obligation changed status.");
  } else {
    Block& t = s.Table({"Obligation", "Was", "Now"});
    for (const auto& c : r.changes()) {
      t.rows.push_back({Text(absl::StrCat(c.obligation_id(), " ", c.title())),
                        c.was() == aigov::v1::FINDING_STATUS_UNSPECIFIED
                            ? Text("not journalled")
                            : StatusCell(c.was()),
                        StatusCell(c.now())});
    }
  }
}

void Obligations(const ComplianceReport& r, Document* doc) {
  Section& s = doc->Add(kReportSections[2]);
  // What each cited document is, so an obligation's evidence reads as the
  // documents it rests on.
  std::map<uint64_t, std::string> documents;
  for (const auto& d : r.documents()) {
    std::vector<std::string> covers;
    for (const auto& m : d.covers_model_versions())
      covers.push_back(RefText(m));
    documents[d.sequence()] = absl::StrCat(
        EnumText(aigov::v1::DocumentType_Name(d.type()), "DOCUMENT_TYPE_"), " ",
        d.document_id(), d.version().empty() ? "" : " v", d.version(),
        ", sha256 ", d.content_sha256().substr(0, 12), "…",
        covers.empty() ? "" : ", covers ", absl::StrJoin(covers, ", "));
  }
  int applicable = 0;
  for (const auto& o : r.obligations()) applicable += !DoesNotApply(o.status());
  s.Paragraph(absl::StrCat(
      Counted(applicable, "obligation"), " of ", r.obligations_size(),
      " apply to this system, in catalog order; the others follow in one "
      "table."));
  Block& t = s.Table({"Obligation", "Article", "Severity", "Status", "Deadline",
                      "Reason", "To fix", "Evidence", "Finding"});
  for (const auto& o : r.obligations()) {
    if (DoesNotApply(o.status())) continue;
    std::vector<std::string> cited_documents;
    for (const uint64_t e : o.evidence_sequences()) {
      auto it = documents.find(e);
      if (it != documents.end()) cited_documents.push_back(it->second);
    }
    t.rows.push_back(
        {Text(ObligationName(o)), Text(o.article()), Text(o.severity()),
         StatusCell(o.status()), When(o.deadline(), o.has_deadline()),
         Text(o.reason()), Text(FixText(o)),
         Cites(absl::StrJoin(cited_documents, "; "),
               {o.evidence_sequences().begin(), o.evidence_sequences().end()}),
         o.finding_sequence() == 0 ? Text("")
                                   : Cites("", {o.finding_sequence()})});
  }
  if (applicable == r.obligations_size()) return;
  s.Heading(absl::StrCat("Not applicable or not yet applicable (",
                         r.obligations_size() - applicable, ")"));
  Block& na = s.Table({"Obligation", "Status", "Why"});
  for (const auto& o : r.obligations()) {
    if (!DoesNotApply(o.status())) continue;
    na.rows.push_back(
        {Text(ObligationName(o)), StatusCell(o.status()), Text(o.reason())});
  }
}

void Documents(const ComplianceReport& r, Document* doc) {
  Section& s = doc->Add(kReportSections[3]);
  if (r.documents().empty()) {
    s.Paragraph("No evidence document about this system is recorded.");
    return;
  }
  Block& t = s.Table({"Type", "Document", "Version", "SHA-256", "Covers",
                      "Valid", "Recorded"});
  for (const auto& d : r.documents()) {
    std::vector<std::string> covers;
    for (const auto& m : d.covers_model_versions())
      covers.push_back(RefText(m));
    std::string valid = TimeText(d.valid_from(), d.has_valid_from());
    if (d.has_valid_until()) {
      absl::StrAppend(&valid, " to ", TimeText(d.valid_until(), true));
    }
    t.rows.push_back({Text(EnumText(aigov::v1::DocumentType_Name(d.type()),
                                    "DOCUMENT_TYPE_")),
                      Text(d.uri().empty() ? d.document_id()
                                           : absl::StrCat(d.document_id(), " (",
                                                          d.uri(), ")")),
                      Text(d.version()), Text(d.content_sha256()),
                      Text(absl::StrJoin(covers, ", ")), Text(valid),
                      Cites(TimeText(d.recorded_at(), true), {d.sequence()})});
  }
}

void Deployments(const ComplianceReport& r, Document* doc) {
  Section& s = doc->Add(kReportSections[4]);
  if (r.deployments().empty()) {
    s.Paragraph("No deployment of this system's model versions is recorded.");
    return;
  }
  // The Art. 50(2) column, for systems that generate synthetic content
  // (or whose deployments carry marking samples all the same).
  bool marking = r.system().risk().generates_synthetic_content();
  for (const auto& d : r.deployments()) marking |= d.has_marking();
  std::vector<std::string> header = {"Deployment", "Model version",
                                     "Environment", "State", "Since"};
  if (marking) header.push_back("Marking (Art. 50(2))");
  Block& t = s.Table(std::move(header));
  for (const auto& d : r.deployments()) {
    std::vector<Cell> row = {
        Text(d.deployment_id()), Text(RefText(d.model_version())),
        Text(EnumText(aigov::v1::Environment_Name(d.environment()),
                      "ENVIRONMENT_")),
        Text(EnumText(aigov::v1::DeploymentState_Name(d.state()),
                      "DEPLOYMENT_STATE_")),
        Cites(TimeText(d.recorded_at(), true), {d.sequence()})};
    if (marking && !d.has_marking()) {
      row.push_back(Toned("no marking sample recorded", "gap"));
    } else if (marking) {
      const aigov::v1::ReportMarking& m = d.marking();
      std::string text = absl::StrCat(
          m.outputs_marked(), " of ", m.outputs_sampled(), " outputs marked (",
          EnumText(aigov::v1::MarkingMethod_Name(m.method()),
                   "MARKING_METHOD_"),
          m.verifier().empty() ? "" : absl::StrCat(", ", m.verifier()),
          "), sampled ", TimeText(m.sampled_at(), true));
      Cell c = Cites(std::move(text), {m.sequence()});
      if (m.outputs_marked() < m.outputs_sampled()) c.tone = "gap";
      row.push_back(std::move(c));
    }
    t.rows.push_back(std::move(row));
  }
}

void Versions(const ComplianceReport& r, Document* doc) {
  Section& s = doc->Add(kReportSections[5]);
  if (r.model_versions().empty()) {
    s.Paragraph("No model version of this system is recorded.");
    return;
  }
  Block& t = s.Table({"Model version", "Recorded", "Artifact SHA-256", "Parent",
                      "Change", "Training run", "Deployed"});
  for (const auto& v : r.model_versions()) {
    t.rows.push_back(
        {Text(absl::StrCat(v.model_id(), "@", v.version())),
         Cites(TimeText(v.recorded_at(), true), {v.sequence()}),
         Text(v.artifact_sha256()), Text(v.parent_version()),
         Text(absl::AsciiStrToLower(EnumText(
             aigov::v1::ChangeClass_Name(v.change_class()), "CHANGE_CLASS_"))),
         Text(v.training_run_id()), Text(YesNoText(v.deployed()))});
  }
  for (const auto& v : r.model_versions()) {
    s.Heading(absl::StrCat("Provenance of ", v.model_id(), "@", v.version()));
    if (v.source_datasets().empty()) {
      s.Paragraph("The lineage graph holds no source dataset upstream of it.");
      continue;
    }
    Block& p =
        s.Table({"Source dataset", "Licence", "Copyright", "Personal data",
                 "Special categories", "Anonymisation", "Entry"});
    for (const auto& d : v.source_datasets()) {
      const aigov::v1::DatasetSummary& sum = d.summary();
      const bool known = sum.registered() || sum.declared_by_lineage();
      p.rows.push_back(
          {Text(absl::StrCat(sum.dataset().dataset_id(), "@",
                             sum.dataset().version(),
                             sum.registered() ? "" : " (declared by lineage)")),
           Text(sum.licence()), Text(sum.copyright_status()),
           Text(YesNoText(sum.contains_personal_data())),
           Text(absl::StrJoin(sum.special_categories(), ", ")),
           Text(AnonymisationText(sum.anonymisation())),
           known ? Cites("", {d.sequence()}) : Text("")});
    }
  }
}

void DriftAndPerformance(const ComplianceReport& r, Document* doc) {
  Section& s = doc->Add(kReportSections[6]);
  bool any = false;
  for (const auto& v : r.model_versions()) {
    if (!v.deployed() && v.drift_events().empty() && v.indicators().empty()) {
      continue;
    }
    any = true;
    s.Heading(absl::StrCat(v.model_id(), "@", v.version(),
                           v.deployed() ? " (deployed)" : ""));
    if (v.deployed()) {
      Block& f = s.Facts();
      const std::string state = DriftText(v.dataset_drift_state());
      f.facts.emplace_back(
          "Dataset drift",
          v.last_evaluation_sequence() == 0
              ? Text("no window evaluated")
              : Cites(absl::StrCat(state, " (window from ",
                                   TimeText(v.last_window_start(), true), ")"),
                      {v.last_evaluation_sequence()}));
      if (!v.features().empty()) {
        Block& t = s.Table({"Feature", "State", "PSI", "Values", "Since"});
        for (const auto& feature : v.features()) {
          const std::string fs = DriftText(feature.state());
          t.rows.push_back(
              {Text(feature.feature()), Toned(fs, Tone(fs)),
               Text(feature.has_psi() ? NumberText(feature.psi()) : ""),
               Text(absl::StrCat(feature.n())),
               Text(TimeText(feature.since(), feature.has_since()))});
        }
      }
    }
    if (!v.drift_events().empty()) {
      Block& t = s.Table({"Recorded", "What"});
      for (const auto& e : v.drift_events()) {
        t.rows.push_back(
            {Cites(TimeText(e.recorded_at(), true), {e.sequence()}),
             Toned(e.what(), "alert")});
      }
    }
    if (!v.indicators().empty()) {
      Block& t = s.Table({"Metric", "Slice", "Better", "Declared", "Threshold",
                          "Observed", "Realisation", "Status"});
      for (const auto& i : v.indicators()) {
        const bool lower =
            i.direction() == aigov::v1::METRIC_DIRECTION_LOWER_IS_BETTER;
        std::string status = "no observation";
        std::string tone;
        if (i.has_observed_value()) {
          status =
              i.below_threshold() ? "beyond threshold" : "within threshold";
          tone = i.below_threshold() ? "violated" : "satisfied";
        }
        t.rows.push_back(
            {Text(i.metric()), Text(i.slice().empty() ? "all" : i.slice()),
             Text(lower ? "lower" : "higher"),
             Text(NumberText(i.declared_value())),
             Text(NumberText(i.threshold())),
             i.has_observed_value()
                 ? Cites(absl::StrCat(NumberText(i.observed_value()),
                                      " (n=", i.observed_n(), ", window from ",
                                      TimeText(i.observed_window_start(), true),
                                      ")"),
                         {i.observed_sequence()})
                 : Text(""),
             Text(i.has_realisation_ratio()
                      ? absl::StrFormat("%.1f%%", 100 * i.realisation_ratio())
                      : ""),
             Toned(status, tone)});
      }
    }
  }
  if (!any) s.Paragraph("No model version of this system is deployed.");
}

void Oversight(const ComplianceReport& r, Document* doc) {
  Section& s = doc->Add(kReportSections[7]);
  if (r.oversight_actions().empty()) {
    s.Paragraph("No human-oversight action is recorded for this system.");
    return;
  }
  std::map<std::string, int> counts;
  for (const auto& a : r.oversight_actions()) {
    ++counts[absl::AsciiStrToLower(
        EnumText(aigov::v1::OversightActionType_Name(a.action()),
                 "OVERSIGHT_ACTION_TYPE_"))];
  }
  std::vector<std::string> parts;
  for (const auto& [name, n] : counts)
    parts.push_back(absl::StrCat(n, " ", name));
  s.Paragraph(absl::StrCat(r.oversight_actions_size(),
                           " actions: ", absl::StrJoin(parts, ", "), "."));
  Block& t = s.Table({"Occurred", "Action", "Model version", "Deployment",
                      "Decision", "Reason", "Entry"});
  for (const auto& a : r.oversight_actions()) {
    t.rows.push_back({Text(TimeText(a.occurred_at(), a.has_occurred_at())),
                      Text(absl::AsciiStrToLower(EnumText(
                          aigov::v1::OversightActionType_Name(a.action()),
                          "OVERSIGHT_ACTION_TYPE_"))),
                      Text(RefText(a.model_version())), Text(a.deployment_id()),
                      Text(a.decision_ref()), Text(a.reason()),
                      Cites("", {a.sequence()})});
  }
}

void Cases(const ComplianceReport& r, Document* doc) {
  Section& s = doc->Add(kReportSections[8]);
  if (r.cases().empty()) {
    s.Paragraph(
        "No incident, personal-data breach or data-subject request is "
        "recorded for this system.");
    return;
  }
  Block& t = s.Table({"Kind", "Id", "What", "State", "Clock started", "Clocks",
                      "Notifications", "Entries", "Description"});
  for (const auto& c : r.cases()) {
    std::vector<std::string> clocks;
    std::string tone;
    for (const auto& k : c.clocks()) {
      const std::string status = StatusText(k.status());
      clocks.push_back(absl::StrCat(
          k.obligation_id(), " ", status,
          k.has_deadline() ? absl::StrCat(" by ", TimeText(k.deadline(), true))
                           : ""));
      if (status == "VIOLATED") tone = "violated";
    }
    std::vector<uint64_t> entries = {c.sequence()};
    if (c.latest_sequence() != c.sequence()) {
      entries.push_back(c.latest_sequence());
    }
    t.rows.push_back(
        {Text(c.kind()), Text(c.id()), Text(c.what()), Text(c.state()),
         Text(TimeText(c.started_at(), c.has_started_at())),
         Toned(clocks.empty() ? "none" : absl::StrJoin(clocks, "; "), tone),
         Cites(c.notification_sequences().empty() ? "none" : "",
               {c.notification_sequences().begin(),
                c.notification_sequences().end()}),
         Cites("", entries), Text(c.description())});
  }
}

void Proof(const ComplianceReport& r, Document* doc) {
  Section& s = doc->Add(kReportSections[9]);
  const aigov::v1::ReportCheckpoint& c = r.checkpoint();
  Block& f = s.Facts();
  f.facts.emplace_back("Regime", Text(r.regime()));
  f.facts.emplace_back(
      "Obligations from",
      Text(r.source() == "journal"
               ? "the findings aigovd had journalled by the instant"
               : "evaluation of the record at the instant"));
  f.facts.emplace_back("Checkpoint origin", Text(c.origin()));
  f.facts.emplace_back("Tree size", Text(absl::StrCat(c.tree_size())));
  f.facts.emplace_back("Root hash", Text(c.root_hash()));
  f.facts.emplace_back("Verifier key", Text(c.public_key()));
  f.facts.emplace_back("Entries cited",
                       Text(absl::StrCat(r.cited_sequences_size())));
  s.Paragraph(
      "Every entry this report cites is a leaf of the journal's RFC 6962 "
      "Merkle tree below this signed checkpoint. `aigovctl compliance report "
      "--bundle DIR` writes those entries with their inclusion proofs; "
      "`aigovctl journal verify DIR --key KEY` checks them offline.");
  s.Heading("Signed checkpoint");
  s.Code(c.note());
}

}  // namespace

std::string EnumText(const std::string& name, const char* prefix) {
  const std::string p(prefix);
  return name.rfind(p, 0) == 0 ? name.substr(p.size()) : name;
}

std::string TimeText(const google::protobuf::Timestamp& t, bool present) {
  if (!present) return "-";
  google::protobuf::Timestamp seconds;
  seconds.set_seconds(t.seconds());
  return google::protobuf::util::TimeUtil::ToString(seconds);
}

Cell When(const google::protobuf::Timestamp& t, bool present) {
  return Toned(TimeText(t, present), "time");
}

std::string StatusLabel(aigov::v1::FindingStatus s) {
  switch (s) {
    case aigov::v1::FINDING_STATUS_VIOLATED:
      return "Violated";
    case aigov::v1::FINDING_STATUS_AT_RISK:
      return "At risk";
    case aigov::v1::FINDING_STATUS_PENDING:
      return "Pending";
    case aigov::v1::FINDING_STATUS_SATISFIED:
      return "Satisfied";
    case aigov::v1::FINDING_STATUS_NOT_APPLICABLE:
      return "Not applicable";
    case aigov::v1::FINDING_STATUS_NOT_YET_APPLICABLE:
      return "Not yet applicable";
    default:
      return "Unknown";
  }
}

std::string Counted(int64_t n, const std::string& noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

std::string StatusText(aigov::v1::FindingStatus s) {
  return EnumText(aigov::v1::FindingStatus_Name(s), "FINDING_STATUS_");
}

std::string RefText(const aigov::v1::ModelVersionRef& r) {
  return r.model_id().empty() ? ""
                              : absl::StrCat(r.model_id(), "@", r.version());
}

std::string DriftText(aigov::v1::DriftState s) {
  return s == aigov::v1::DRIFT_STATE_UNSPECIFIED
             ? "not evaluated"
             : EnumText(aigov::v1::DriftState_Name(s), "DRIFT_STATE_");
}

std::string AnonymisationText(aigov::v1::AnonymisationLevel a) {
  return a == aigov::v1::ANONYMISATION_LEVEL_UNSPECIFIED
             ? ""
             : absl::AsciiStrToLower(
                   EnumText(aigov::v1::AnonymisationLevel_Name(a),
                            "ANONYMISATION_LEVEL_"));
}

std::string YesNoText(bool b) { return b ? "yes" : "no"; }

std::string NumberText(double v) { return absl::StrFormat("%.4g", v); }

Document ReportDocument(const ComplianceReport& r) {
  Document doc;
  doc.title = absl::StrCat("Compliance report: ", r.system().name().empty()
                                                      ? r.system_id()
                                                      : r.system().name());
  doc.subtitle =
      absl::StrCat("AI system ", r.system_id(), " · ", r.risk_class(), " · at ",
                   TimeText(r.at(), true), " · produced ",
                   TimeText(r.generated_at(), true), " at checkpoint ",
                   r.checkpoint().tree_size(), " of ", r.checkpoint().origin());
  Summary(r, &doc);
  Profile(r, &doc);
  Obligations(r, &doc);
  Documents(r, &doc);
  Deployments(r, &doc);
  Versions(r, &doc);
  DriftAndPerformance(r, &doc);
  Oversight(r, &doc);
  Cases(r, &doc);
  Proof(r, &doc);
  return doc;
}

absl::StatusOr<std::string> ReportJson(
    const google::protobuf::Message& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  const auto status =
      google::protobuf::util::MessageToJsonString(report, &out, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("printing the report as JSON: ", status.ToString()));
  }
  return out;
}

}  // namespace aigov::reports
