#include "daemon/reports/annex_iv.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "daemon/reports/report_render.h"

namespace aigov::reports {
namespace {

using aigov::v1::ComplianceReport;
using aigov::v1::DocumentType;
using aigov::v1::ReportDocument;
using aigov::v1::ReportModelVersion;

std::string TypeText(DocumentType t) {
  return EnumText(aigov::v1::DocumentType_Name(t), "DOCUMENT_TYPE_");
}

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

bool Covers(const ReportDocument& d, const std::string& version) {
  for (const auto& m : d.covers_model_versions()) {
    if (RefText(m) == version) return true;
  }
  return false;
}

// Writes one dossier: the report, the version, and the gaps found so far.
class Writer {
 public:
  Writer(const ComplianceReport& r, const ReportModelVersion& v, AnnexIv* out)
      : r_(r),
        v_(v),
        name_(absl::StrCat(v.model_id(), "@", v.version())),
        out_(out) {}

  void Run() {
    Document& doc = out_->document;
    doc.title = absl::StrCat("Annex IV technical documentation: ", name_);
    const aigov::v1::ReportCheckpoint& c = r_.checkpoint();
    doc.subtitle = absl::StrCat(
        "AI system ", r_.system_id(), " · ", r_.risk_class(), " · at ",
        TimeText(r_.at(), true), " · produced ",
        TimeText(r_.generated_at(), true), " at checkpoint ", c.tree_size(),
        " of ", c.origin(), " (root ", c.root_hash(), ")");
    General();
    Development();
    Monitoring();
    Metrics();
    Risk();
    Changes();
    Standards();
    Declaration();
    PostMarket();
    Close();
  }

 private:
  // Starts point `n`, after closing the one before.
  Section& Point(int n) {
    Close();
    section_ = n;
    return out_->document.Add(kAnnexIvSections[n - 1]);
  }

  // Ends the current point with the gaps found in it, one sentence each.
  void Close() {
    if (pending_.empty()) return;
    Section& s = out_->document.sections.back();
    s.Heading("Gaps");
    for (std::string& gap : pending_) {
      s.Paragraph(gap);
      out_->gaps.push_back(std::move(gap));
    }
    pending_.clear();
  }

  // A plain sentence stating what the journal lacks for the current point.
  void Gap(std::string sentence) { pending_.push_back(std::move(sentence)); }

  const aigov::v1::ReportObligation* Obligation(const std::string& id) const {
    for (const auto& o : r_.obligations()) {
      if (o.obligation_id() == id) return &o;
    }
    return nullptr;
  }

  // The obligation's standing, citing its evidence and finding (nothing
  // when the report does not hold it).
  void Standing(Section& s, const std::string& id) const {
    const aigov::v1::ReportObligation* o = Obligation(id);
    if (o == nullptr) return;
    std::vector<uint64_t> cited(o->evidence_sequences().begin(),
                                o->evidence_sequences().end());
    if (o->finding_sequence() != 0) cited.push_back(o->finding_sequence());
    Cell cell = Cites(absl::StrCat(StatusText(o->status()), ": ", o->reason()),
                      std::move(cited));
    cell.tone = Lower(StatusText(o->status()));
    s.Facts().facts.emplace_back(absl::StrCat(id, " (", o->article(), ")"),
                                 std::move(cell));
  }

  // The documents of `type` about the system, whether each covers the
  // version; a gap when none does (or, for a system-wide `type`, none
  // exists). Returns true when one qualifies.
  bool Documents(Section& s, DocumentType type, const std::string& what,
                 bool per_version) {
    std::vector<const ReportDocument*> docs;
    bool found = false;
    for (const auto& d : r_.documents()) {
      if (d.type() != type) continue;
      docs.push_back(&d);
      found |= !per_version || Covers(d, name_);
    }
    if (docs.empty()) s.Paragraph("None recorded.");
    if (!docs.empty()) {
      Block& t = s.Table({TypeText(type), "Version", "SHA-256",
                          per_version ? "Covers " + name_ : "Covers",
                          "Valid until", "Recorded"});
      for (const ReportDocument* d : docs) {
        std::vector<std::string> covers;
        for (const auto& m : d->covers_model_versions()) {
          covers.push_back(RefText(m));
        }
        Cell cover = Text(per_version ? YesNoText(Covers(*d, name_))
                                      : absl::StrJoin(covers, ", "));
        if (per_version && !Covers(*d, name_)) cover.tone = "gap";
        t.rows.push_back(
            {Text(d->uri().empty()
                      ? d->document_id()
                      : absl::StrCat(d->document_id(), " (", d->uri(), ")")),
             Text(d->version()), Text(d->content_sha256()), std::move(cover),
             Text(TimeText(d->valid_until(), d->has_valid_until())),
             Cites(TimeText(d->recorded_at(), true), {d->sequence()})});
      }
    }
    if (!found) {
      Gap(per_version
              ? absl::StrCat("No ", what, " covering ", name_, " is recorded.")
              : absl::StrCat("No ", what, " is recorded."));
    }
    return found;
  }

  // The point's own ANNEX_IV_<n> documents.
  void PointDocuments(Section& s) {
    s.Heading(absl::StrCat("Annex IV point ", section_, " documents"));
    Documents(s,
              static_cast<DocumentType>(aigov::v1::DOCUMENT_TYPE_ANNEX_IV_1 +
                                        section_ - 1),
              absl::StrCat("Annex IV point ", section_, " document"), true);
  }

  std::vector<const aigov::v1::ReportDeployment*> DeploymentsOf(
      const ReportModelVersion& v) const {
    std::vector<const aigov::v1::ReportDeployment*> out;
    for (const auto& d : r_.deployments()) {
      if (d.model_version().model_id() == v.model_id() &&
          d.model_version().version() == v.version()) {
        out.push_back(&d);
      }
    }
    return out;
  }

  // The versions of the model from the first ancestor to this one, following
  // parent_version.
  std::vector<const ReportModelVersion*> Chain() const {
    std::map<std::string, const ReportModelVersion*> by_version;
    for (const auto& m : r_.model_versions()) {
      if (m.model_id() == v_.model_id()) by_version[m.version()] = &m;
    }
    std::vector<const ReportModelVersion*> chain = {&v_};
    std::set<std::string> seen = {v_.version()};
    for (;;) {
      const std::string& parent = chain.back()->parent_version();
      auto it = by_version.find(parent);
      if (parent.empty() || it == by_version.end() ||
          !seen.insert(parent).second) {
        break;
      }
      chain.push_back(it->second);
    }
    return std::vector<const ReportModelVersion*>(chain.rbegin(), chain.rend());
  }

  void General() {
    Section& s = Point(1);
    const aigov::v1::AiSystem& sys = r_.system();
    Block& f = s.Facts();
    f.facts.emplace_back("AI system",
                         Cites(sys.system_id(), {r_.system_sequence()}));
    f.facts.emplace_back("Name", Text(sys.name()));
    f.facts.emplace_back("Intended purpose", Text(sys.intended_purpose()));
    f.facts.emplace_back(
        "Provider", Text(sys.vendor().empty() ? "in-house" : sys.vendor()));
    f.facts.emplace_back("Risk class", Text(r_.risk_class()));
    f.facts.emplace_back("Annex III point",
                         Text(sys.risk().annex_iii_point().empty()
                                  ? "none"
                                  : sys.risk().annex_iii_point()));
    f.facts.emplace_back("Hosting", Text(sys.hosting()));
    f.facts.emplace_back("Model version", Cites(name_, {v_.sequence()}));
    f.facts.emplace_back("Artifact SHA-256", Text(v_.artifact_sha256()));
    f.facts.emplace_back("Source revision", Text(v_.code_ref()));
    std::vector<std::string> chain;
    std::vector<uint64_t> cited;
    for (const ReportModelVersion* m : Chain()) {
      chain.push_back(m->version());
      cited.push_back(m->sequence());
    }
    f.facts.emplace_back("Version chain",
                         Cites(absl::StrJoin(chain, " → "), cited));
    if (sys.intended_purpose().empty()) {
      Gap(absl::StrCat("No intended purpose is recorded for system ",
                       sys.system_id(), "."));
    }
    if (v_.code_ref().empty()) {
      Gap(absl::StrCat("No source revision is recorded for ", name_, "."));
    }
    s.Heading("Forms of placing on the market and putting into service");
    const auto deployments = DeploymentsOf(v_);
    if (deployments.empty()) {
      s.Paragraph(absl::StrCat(name_, " has no recorded deployment."));
    } else {
      Block& t = s.Table({"Deployment", "Environment", "State", "Since"});
      for (const auto* d : deployments) {
        t.rows.push_back(
            {Text(d->deployment_id()),
             Text(EnumText(aigov::v1::Environment_Name(d->environment()),
                           "ENVIRONMENT_")),
             Text(EnumText(aigov::v1::DeploymentState_Name(d->state()),
                           "DEPLOYMENT_STATE_")),
             Cites(TimeText(d->recorded_at(), true), {d->sequence()})});
      }
    }
    s.Heading("Instructions for use (1(h))");
    Documents(s, aigov::v1::DOCUMENT_TYPE_INSTRUCTIONS_FOR_USE,
              "instructions-for-use document", true);
    PointDocuments(s);
  }

  void Development() {
    Section& s = Point(2);
    Block& f = s.Facts();
    f.facts.emplace_back(
        "Pre-trained model used",
        Text(v_.base_model().empty()
                 ? "none recorded"
                 : absl::StrCat(v_.base_model(),
                                v_.base_model_provider().empty()
                                    ? ""
                                    : absl::StrCat(" from ",
                                                   v_.base_model_provider()))));
    f.facts.emplace_back("Training run", Text(v_.training_run_id().empty()
                                                  ? "none recorded"
                                                  : v_.training_run_id()));
    const aigov::v1::RiskProfile& risk = r_.system().risk();
    f.facts.emplace_back("Learns after deployment",
                         Text(YesNoText(risk.continuous_learning())));
    f.facts.emplace_back("Pre-determined changes (2(f))",
                         Text(risk.predetermined_change_plan_ref().empty()
                                  ? "none recorded"
                                  : risk.predetermined_change_plan_ref()));
    if (risk.continuous_learning() &&
        risk.predetermined_change_plan_ref().empty()) {
      Gap(absl::StrCat("System ", r_.system_id(),
                       " learns after deployment but records no "
                       "pre-determined change plan."));
    }
    s.Heading("Data (2(d))");
    auto refs = [](const auto& list) {
      std::vector<std::string> out;
      for (const auto& d : list) {
        out.push_back(absl::StrCat(d.dataset_id(), "@", d.version()));
      }
      return absl::StrJoin(out, ", ");
    };
    Block& data = s.Facts();
    data.facts.emplace_back("Training datasets declared",
                            Text(refs(v_.training_datasets())));
    data.facts.emplace_back("Evaluation datasets declared",
                            Text(refs(v_.evaluation_datasets())));
    if (v_.training_datasets().empty()) {
      Gap(absl::StrCat("No training dataset is declared for ", name_, "."));
    }
    if (v_.evaluation_datasets().empty()) {
      Gap(absl::StrCat("No evaluation dataset is declared for ", name_, "."));
    }
    if (v_.source_datasets().empty()) {
      Gap(
          absl::StrCat("The lineage graph holds no source dataset upstream "
                       "of ",
                       name_, "."));
    } else {
      Block& t =
          s.Table({"Source dataset (lineage)", "Licence", "Copyright",
                   "Personal data", "Special categories", "Anonymisation"});
      for (const auto& d : v_.source_datasets()) {
        const aigov::v1::DatasetSummary& sum = d.summary();
        const std::string ref = absl::StrCat(sum.dataset().dataset_id(), "@",
                                             sum.dataset().version());
        const bool known = sum.registered() || sum.declared_by_lineage();
        t.rows.push_back({known ? Cites(ref, {d.sequence()}) : Text(ref),
                          Text(sum.licence()), Text(sum.copyright_status()),
                          Text(YesNoText(sum.contains_personal_data())),
                          Text(absl::StrJoin(sum.special_categories(), ", ")),
                          Text(AnonymisationText(sum.anonymisation()))});
        if (sum.licence().empty()) {
          Gap(absl::StrCat("Source dataset ", ref, " of ", name_,
                           " records no licence."));
        }
      }
    }
    s.Heading("Validation and testing (2(g))");
    Documents(s, aigov::v1::DOCUMENT_TYPE_TEST_REPORT, "test report", true);
    PointDocuments(s);
  }

  void Monitoring() {
    Section& s = Point(3);
    std::vector<std::string> roles;
    for (const auto& p : r_.system().people()) roles.push_back(p.role());
    Block& f = s.Facts();
    f.facts.emplace_back("People assigned (roles)",
                         Text(absl::StrJoin(roles, ", ")));
    // As the rules read it (evaluate.cc, "system.overseers").
    const bool overseer =
        std::any_of(roles.begin(), roles.end(), [](const std::string& role) {
          const std::string lower = Lower(role);
          return absl::StrContains(lower, "overseer") ||
                 absl::StrContains(lower, "operator");
        });
    if (!overseer) {
      Gap(absl::StrCat("No human overseer is named for system ", r_.system_id(),
                       "."));
    }
    int actions = 0;
    std::vector<uint64_t> cited;
    for (const auto& a : r_.oversight_actions()) {
      if (RefText(a.model_version()) == name_) {
        ++actions;
        cited.push_back(a.sequence());
      }
    }
    f.facts.emplace_back("Oversight actions on this version",
                         Cites(absl::StrCat(actions), std::move(cited)));
    Standing(s, "AIA-11");

    s.Heading("Declared capabilities (metrics and thresholds)");
    if (v_.indicators().empty()) {
      Gap(absl::StrCat("No performance metric is declared for ", name_, "."));
    } else {
      Block& t =
          s.Table({"Metric", "Slice", "Better", "Declared", "Threshold"});
      for (const auto& i : v_.indicators()) {
        t.rows.push_back(
            {Text(i.metric()), Text(i.slice().empty() ? "all" : i.slice()),
             Text(i.direction() == aigov::v1::METRIC_DIRECTION_LOWER_IS_BETTER
                      ? "lower"
                      : "higher"),
             Text(NumberText(i.declared_value())),
             Text(NumberText(i.threshold()))});
      }
    }
    s.Heading("Input data monitoring (drift)");
    if (v_.last_evaluation_sequence() == 0) {
      s.Paragraph(
          absl::StrCat("No drift window of ", name_, " has been evaluated."));
      if (v_.deployed()) {
        Gap(absl::StrCat(name_,
                         " is deployed but no drift window of it "
                         "has been evaluated."));
      }
    } else {
      Block& d = s.Facts();
      d.facts.emplace_back(
          "Dataset drift",
          Cites(absl::StrCat(DriftText(v_.dataset_drift_state()),
                             " (window from ",
                             TimeText(v_.last_window_start(), true), ", ",
                             v_.features_size(), " features)"),
                {v_.last_evaluation_sequence()}));
    }
    PointDocuments(s);
  }

  void Metrics() {
    Section& s = Point(4);
    if (v_.indicators().empty()) {
      Gap(absl::StrCat("No declared metric of ", name_,
                       " can be assessed for appropriateness."));
    } else {
      int observed = 0;
      int beyond = 0;
      Block& t = s.Table({"Metric", "Slice", "Declared", "Threshold",
                          "Observed", "Realisation", "Status"});
      for (const auto& i : v_.indicators()) {
        std::string status = "no observation";
        std::string tone = "gap";
        if (i.has_observed_value()) {
          ++observed;
          beyond += i.below_threshold() ? 1 : 0;
          status =
              i.below_threshold() ? "beyond threshold" : "within threshold";
          tone = i.below_threshold() ? "violated" : "satisfied";
        }
        t.rows.push_back(
            {Text(i.metric()), Text(i.slice().empty() ? "all" : i.slice()),
             Text(NumberText(i.declared_value())),
             Text(NumberText(i.threshold())),
             i.has_observed_value()
                 ? Cites(absl::StrCat(NumberText(i.observed_value()),
                                      " (n=", i.observed_n(), ")"),
                         {i.observed_sequence()})
                 : Text(""),
             Text(i.has_realisation_ratio()
                      ? absl::StrCat(NumberText(100 * i.realisation_ratio()),
                                     "%")
                      : ""),
             Toned(status, tone)});
        if (!i.has_observed_value() && v_.deployed()) {
          Gap(absl::StrCat("Declared metric ", i.metric(),
                           i.slice().empty() ? "" : " on " + i.slice(), " of ",
                           name_, " has no observation in operation."));
        }
      }
      s.Paragraph(absl::StrCat(
          name_, " declares ", v_.indicators_size(),
          v_.indicators_size() == 1 ? " metric" : " metrics",
          " with a threshold; ", observed, " observed in operation, ", beyond,
          " beyond the threshold."));
    }
    Standing(s, "AIA-12");
    PointDocuments(s);
  }

  void Risk() {
    Section& s = Point(5);
    Documents(s, aigov::v1::DOCUMENT_TYPE_RISK_REGISTER, "risk register",
              false);
    Standing(s, "AIA-04");
    s.Heading("Reasons to consider non-conformity recorded for this version");
    if (v_.drift_events().empty()) {
      s.Paragraph(absl::StrCat("No drift ALERT or performance breach of ",
                               name_, " is recorded."));
    } else {
      Block& t = s.Table({"Recorded", "What"});
      for (const auto& e : v_.drift_events()) {
        t.rows.push_back(
            {Cites(TimeText(e.recorded_at(), true), {e.sequence()}),
             Toned(e.what(), "alert")});
      }
    }
    PointDocuments(s);
  }

  void Changes() {
    Section& s = Point(6);
    Block& t = s.Table(
        {"Version", "Parent", "Change class", "Recorded", "Deployments"});
    for (const ReportModelVersion* m : Chain()) {
      std::vector<std::string> deployments;
      std::vector<uint64_t> cited;
      for (const auto* d : DeploymentsOf(*m)) {
        deployments.push_back(
            absl::StrCat(d->deployment_id(), " ",
                         EnumText(aigov::v1::DeploymentState_Name(d->state()),
                                  "DEPLOYMENT_STATE_")));
        cited.push_back(d->sequence());
      }
      const bool classified =
          m->change_class() != aigov::v1::CHANGE_CLASS_UNSPECIFIED;
      Cell change = Text(
          classified
              ? Lower(EnumText(aigov::v1::ChangeClass_Name(m->change_class()),
                               "CHANGE_CLASS_"))
              : "not classified");
      if (!classified && !m->parent_version().empty()) change.tone = "gap";
      t.rows.push_back(
          {Text(m->version()), Text(m->parent_version()), std::move(change),
           Cites(TimeText(m->recorded_at(), true), {m->sequence()}),
           Cites(absl::StrJoin(deployments, ", "), cited)});
      if (!classified && !m->parent_version().empty()) {
        Gap(absl::StrCat(m->model_id(), "@", m->version(),
                         " records no change class against its parent ",
                         m->parent_version(), "."));
      }
    }
    Standing(s, "AIA-16");
    PointDocuments(s);
  }

  void Standards() {
    Section& s = Point(7);
    s.Paragraph(
        "aigov keeps no record of harmonised standards: the standards "
        "applied, or the solutions adopted instead, are stated by the Annex "
        "IV point 7 document.");
    PointDocuments(s);
  }

  void Declaration() {
    Section& s = Point(8);
    Documents(s, aigov::v1::DOCUMENT_TYPE_EU_DECLARATION_OF_CONFORMITY,
              "EU declaration of conformity", true);
    s.Heading("Conformity assessment");
    Documents(s, aigov::v1::DOCUMENT_TYPE_CONFORMITY_ASSESSMENT,
              "conformity assessment", true);
    Standing(s, "AIA-17");
    PointDocuments(s);
  }

  void PostMarket() {
    Section& s = Point(9);
    Documents(s, aigov::v1::DOCUMENT_TYPE_POST_MARKET_MONITORING_PLAN,
              "post-market monitoring plan", true);
    Standing(s, "AIA-19");
    Block& f = s.Facts();
    std::vector<uint64_t> samples;
    for (const auto& i : v_.indicators()) {
      if (i.has_observed_value()) samples.push_back(i.observed_sequence());
    }
    f.facts.emplace_back(
        "Latest performance samples",
        Cites(samples.empty() ? "none" : absl::StrCat(samples.size()),
              samples));
    f.facts.emplace_back("Latest drift evaluation",
                         v_.last_evaluation_sequence() == 0
                             ? Text("none")
                             : Cites(TimeText(v_.last_window_start(), true),
                                     {v_.last_evaluation_sequence()}));
    int incidents = 0;
    std::vector<uint64_t> cited;
    for (const auto& c : r_.cases()) {
      if (c.kind() == "incident") {
        ++incidents;
        cited.push_back(c.sequence());
      }
    }
    f.facts.emplace_back("Incidents recorded for the system",
                         Cites(absl::StrCat(incidents), cited));
    PointDocuments(s);
  }

  const ComplianceReport& r_;
  const ReportModelVersion& v_;
  const std::string name_;
  AnnexIv* out_;
  int section_ = 0;
  std::vector<std::string> pending_;
};

}  // namespace

absl::StatusOr<AnnexIv> AnnexIvDossier(
    const ComplianceReport& report,
    const aigov::v1::ModelVersionRef& model_version) {
  for (const ReportModelVersion& v : report.model_versions()) {
    if (v.model_id() != model_version.model_id() ||
        v.version() != model_version.version()) {
      continue;
    }
    AnnexIv out;
    Writer(report, v, &out).Run();
    return out;
  }
  return absl::NotFoundError(absl::StrCat(
      "model_version: ", RefText(model_version),
      " is not a model version of AI system \"", report.system_id(),
      "\" recorded by ", TimeText(report.at(), true),
      " (aigovctl compliance report --system ", report.system_id(),
      " lists them)"));
}

}  // namespace aigov::reports
