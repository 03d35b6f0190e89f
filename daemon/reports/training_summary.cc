#include "daemon/reports/training_summary.h"

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

#include "daemon/common/status_macros.h"
#include "daemon/lineage/lineage_queries.h"
#include "daemon/reports/report_render.h"
#include "daemon/rules/snapshot.h"

namespace aigov::reports {
namespace {

using aigov::v1::DatasetRef;
using aigov::v1::DataSourceCategory;
using aigov::v1::TrainingDataSource;
using aigov::v1::TrainingDataSummary;

// The template's section 2 subsections, in order.
struct CategoryRow {
  const char* number;
  DataSourceCategory category;
  const char* title;
};
constexpr CategoryRow kCategories[] = {
    {"2.1", aigov::v1::DATA_SOURCE_CATEGORY_PUBLIC_DATASET,
     "Publicly available datasets"},
    {"2.2.1", aigov::v1::DATA_SOURCE_CATEGORY_LICENSED_PRIVATE,
     "Data licensed from rightsholders"},
    {"2.2.2", aigov::v1::DATA_SOURCE_CATEGORY_OTHER_PRIVATE,
     "Other private third-party data"},
    {"2.3", aigov::v1::DATA_SOURCE_CATEGORY_WEB_CRAWLED,
     "Data crawled or scraped by or for the provider"},
    {"2.4", aigov::v1::DATA_SOURCE_CATEGORY_USER_DATA, "User data"},
    {"2.5", aigov::v1::DATA_SOURCE_CATEGORY_SYNTHETIC, "Synthetic data"},
    {"2.6", aigov::v1::DATA_SOURCE_CATEGORY_OTHER, "Other sources"},
};

std::string Name(const DatasetRef& d) {
  return absl::StrCat(d.dataset_id(), "@", d.version());
}

std::string ModalityText(int m) {
  return absl::AsciiStrToLower(
      EnumText(aigov::v1::Modality_Name(static_cast<aigov::v1::Modality>(m)),
               "MODALITY_"));
}

template <typename List>
std::string Modalities(const List& list) {
  std::vector<std::string> out;
  for (const int m : list) out.push_back(ModalityText(m));
  return out.empty() ? "not recorded" : absl::StrJoin(out, ", ");
}

// The registry record under (kind, id, version), or nullopt.
absl::StatusOr<std::optional<aigov::v1::RegistryRecord>> Registered(
    const registry::RegistryProjection& registry, aigov::v1::EventKind kind,
    const std::string& id, const std::string& version) {
  AIGOV_ASSIGN_OR_RETURN(const std::string key,
                         registry::RecordKey(kind, id, version));
  return registry.Get(key);
}

uint64_t LastSequence(const aigov::v1::RegistryRecord& r) {
  return r.sequences().empty() ? 0 : r.sequences(r.sequences_size() - 1);
}

// Section 1 from the model version, its ancestors and the system record.
absl::Status General(const Sources& sources, const aigov::v1::ModelVersion& mv,
                     TrainingDataSummary* out) {
  out->set_base_model(mv.base_model());
  out->set_base_model_provider(mv.base_model_provider());
  // Ancestors through parent_version, bounded and loop-safe.
  std::set<std::string> seen = {mv.version()};
  std::string parent = mv.parent_version();
  while (!parent.empty() && seen.insert(parent).second && seen.size() < 1000) {
    out->add_earlier_versions(parent);
    AIGOV_ASSIGN_OR_RETURN(
        const auto p,
        Registered(*sources.registry, aigov::v1::EVENT_KIND_MODEL_VERSION,
                   mv.model_id(), parent));
    parent = p ? p->model_version().parent_version() : "";
  }
  AIGOV_ASSIGN_OR_RETURN(const auto record,
                         sources.compliance->Record(mv.system_id()));
  if (!record || !record->has_system()) {
    out->set_provider("not recorded (the AI system is not registered)");
    return absl::OkStatus();
  }
  const aigov::v1::AiSystem& sys = record->system();
  out->set_provider(
      !sys.vendor().empty()
          ? sys.vendor()
          : absl::StrCat(sys.name().empty() ? sys.system_id() : sys.name(),
                         " (developed in-house)"));
  const aigov::internal::v1::DeploymentChange* first = nullptr;
  for (const auto& c : record->changes()) {
    if (c.model_version().model_id() != mv.model_id() ||
        c.model_version().version() != mv.version() ||
        c.environment() != aigov::v1::ENVIRONMENT_PROD ||
        c.state() != aigov::v1::DEPLOYMENT_STATE_ENABLED) {
      continue;
    }
    if (first == nullptr || c.fact().sequence() < first->fact().sequence()) {
      first = &c;
    }
  }
  if (first != nullptr) {
    *out->mutable_placed_on_market() = first->fact().at();
    out->set_placed_on_market_sequence(first->fact().sequence());
  }
  for (const auto& d : record->documents()) {
    if (d.record().type() == aigov::v1::DOCUMENT_TYPE_TRAINING_DATA_SUMMARY) {
      FillReportDocument(d, out->add_documents());
    }
  }
  return absl::OkStatus();
}

// Section 2's sources, from the lineage graph and the registry.
absl::Status ListSources(const Sources& sources,
                         const aigov::v1::ModelVersionRef& ref,
                         TrainingDataSummary* out) {
  aigov::v1::GetProvenanceRequest request;
  *request.mutable_model_version() = ref;
  auto provenance =
      lineage::Provenance(*sources.registry, *sources.lineage, request);
  if (absl::IsNotFound(provenance.status())) return absl::OkStatus();
  AIGOV_RETURN_IF_ERROR(provenance.status());
  for (const aigov::v1::DatasetSummary& d : provenance->source_datasets()) {
    TrainingDataSource* s = out->add_sources();
    *s->mutable_dataset() = d.dataset();
    s->set_registered(d.registered());
    s->set_licence(d.licence());
    s->set_contains_personal_data(d.contains_personal_data());
    s->set_anonymisation(d.anonymisation());
    AIGOV_ASSIGN_OR_RETURN(
        const auto stored,
        Registered(*sources.registry, aigov::v1::EVENT_KIND_DATASET_VERSION,
                   d.dataset().dataset_id(), d.dataset().version()));
    if (!stored || !stored->has_dataset_version()) continue;
    const aigov::v1::DatasetVersion& v = stored->dataset_version();
    s->set_sequence(LastSequence(*stored));
    s->set_category(v.source_category());
    s->mutable_modalities()->CopyFrom(v.modalities());
    s->set_source_url(v.source_url());
    s->set_source_system(v.source_system());
    s->set_tdm_opt_outs_honoured(v.tdm_opt_outs_honoured());
    s->set_lawful_basis(v.lawful_basis());
    if (v.has_collected_until()) {
      *s->mutable_collected_until() = v.collected_until();
    }
    if (v.has_crawler()) *s->mutable_crawler() = v.crawler();
  }
  return absl::OkStatus();
}

// What follows from the sources: categories, modalities, lists and gaps.
void Derive(TrainingDataSummary* out) {
  const std::string name = RefText(out->model_version());
  std::set<int> modalities;
  for (const TrainingDataSource& s : out->sources()) {
    modalities.insert(s.modalities().begin(), s.modalities().end());
    if (s.has_collected_until() &&
        (!out->has_latest_collection() ||
         rules::TimeOf(s.collected_until()) >
             rules::TimeOf(out->latest_collection()))) {
      *out->mutable_latest_collection() = s.collected_until();
    }
  }
  for (const int m : modalities) {
    out->add_modalities(static_cast<aigov::v1::Modality>(m));
  }
  for (const CategoryRow& row : kCategories) {
    aigov::v1::TrainingDataCategory* c = out->add_categories();
    c->set_number(row.number);
    c->set_category(row.category);
    std::set<int> ms;
    for (const TrainingDataSource& s : out->sources()) {
      if (s.category() != row.category) continue;
      c->set_used(true);
      *c->add_datasets() = s.dataset();
      ms.insert(s.modalities().begin(), s.modalities().end());
    }
    for (const int m : ms)
      c->add_modalities(static_cast<aigov::v1::Modality>(m));
  }
  if (out->sources().empty()) {
    out->add_gaps(absl::StrCat(
        "The lineage graph holds no source dataset upstream of ", name, "."));
  }
  for (const TrainingDataSource& s : out->sources()) {
    const std::string d = Name(s.dataset());
    const DataSourceCategory c = s.category();
    if (c == aigov::v1::DATA_SOURCE_CATEGORY_UNSPECIFIED) {
      *out->add_unclassified() = s.dataset();
      out->add_gaps(absl::StrCat(
          "Source ", d,
          s.registered() ? " records no source_category."
                         : " is known only from lineage and records no "
                           "source_category."));
    }
    const bool tdm_relevant =
        c == aigov::v1::DATA_SOURCE_CATEGORY_UNSPECIFIED ||
        c == aigov::v1::DATA_SOURCE_CATEGORY_PUBLIC_DATASET ||
        c == aigov::v1::DATA_SOURCE_CATEGORY_WEB_CRAWLED;
    if (tdm_relevant && !s.tdm_opt_outs_honoured()) {
      *out->add_tdm_opt_outs_not_recorded() = s.dataset();
      out->add_gaps(absl::StrCat("Source ", d,
                                 " is not recorded as honouring "
                                 "text-and-data-mining opt-outs."));
    }
    if (c == aigov::v1::DATA_SOURCE_CATEGORY_WEB_CRAWLED &&
        s.crawler().name().empty()) {
      out->add_gaps(
          absl::StrCat("Crawled source ", d, " records no crawler name."));
    }
    if (s.contains_personal_data()) *out->add_personal_data() = s.dataset();
  }
  bool covered = false;
  for (const auto& doc : out->documents()) {
    for (const auto& m : doc.covers_model_versions()) {
      covered |= RefText(m) == name;
    }
  }
  if (!covered) {
    out->add_gaps(absl::StrCat(
        "No published training-data summary document (TRAINING_DATA_SUMMARY) "
        "covering ",
        name, " is recorded."));
  }
}

std::vector<uint64_t> Cited(const TrainingDataSummary& s) {
  std::set<uint64_t> out = {s.model_version_sequence()};
  if (s.placed_on_market_sequence() != 0) {
    out.insert(s.placed_on_market_sequence());
  }
  for (const auto& d : s.sources()) {
    if (d.sequence() != 0) out.insert(d.sequence());
  }
  for (const auto& d : s.documents()) out.insert(d.sequence());
  return std::vector<uint64_t>(out.begin(), out.end());
}

}  // namespace

absl::StatusOr<TrainingDataSummary> BuildTrainingSummary(
    const Sources& sources, const aigov::v1::ModelVersionRef& model_version,
    absl::Time now) {
  AIGOV_ASSIGN_OR_RETURN(
      const auto stored,
      Registered(*sources.registry, aigov::v1::EVENT_KIND_MODEL_VERSION,
                 model_version.model_id(), model_version.version()));
  if (!stored || !stored->has_model_version()) {
    return absl::NotFoundError(
        absl::StrCat("model_version: ", RefText(model_version),
                     " is not registered (record it with aigovctl apply, kind "
                     "ModelVersion)"));
  }
  const aigov::v1::ModelVersion& mv = stored->model_version();
  TrainingDataSummary out;
  *out.mutable_model_version() = model_version;
  out.set_model_version_sequence(LastSequence(*stored));
  out.set_system_id(mv.system_id());
  *out.mutable_generated_at() = rules::TimestampOf(now);
  AIGOV_RETURN_IF_ERROR(General(sources, mv, &out));
  AIGOV_RETURN_IF_ERROR(ListSources(sources, model_version, &out));
  Derive(&out);
  for (const uint64_t s : Cited(out)) out.add_cited_sequences(s);
  return out;
}

absl::StatusOr<TrainingDataSummary> ReportBuilder::TrainingSummary(
    const aigov::v1::ModelVersionRef& model_version) const {
  AIGOV_ASSIGN_OR_RETURN(
      TrainingDataSummary summary,
      BuildTrainingSummary(sources_, model_version, clock_.Now()));
  const auto& cited = summary.cited_sequences();
  AIGOV_ASSIGN_OR_RETURN(
      *summary.mutable_checkpoint(),
      CheckpointCovering(cited.empty() ? 0 : cited[cited.size() - 1] + 1));
  return summary;
}

Document TrainingSummaryDocument(const TrainingDataSummary& s) {
  const std::string name = RefText(s.model_version());
  Document doc;
  doc.title = absl::StrCat("Public summary of training content: ", name);
  doc.subtitle = absl::StrCat(
      "AI Act Art. 53(1)(d), in the structure of the Commission's template · "
      "produced ",
      TimeText(s.generated_at(), true), " at checkpoint ",
      s.checkpoint().tree_size(), " of ", s.checkpoint().origin(), " (root ",
      s.checkpoint().root_hash(), ")");

  Section& general = doc.Add(kTrainingSummarySections[0]);
  Block& f = general.Facts();
  f.facts.emplace_back("1.1 Provider", Text(s.provider()));
  f.facts.emplace_back("1.2 Model version",
                       Cites(name, {s.model_version_sequence()}));
  f.facts.emplace_back("AI system", Text(s.system_id()));
  f.facts.emplace_back(
      "Modifies or fine-tunes",
      Text(s.base_model().empty()
               ? "no other general-purpose model recorded"
               : absl::StrCat(s.base_model(),
                              s.base_model_provider().empty()
                                  ? ""
                                  : " from " + s.base_model_provider())));
  f.facts.emplace_back("Earlier versions",
                       Text(s.earlier_versions().empty()
                                ? "none"
                                : absl::StrJoin(s.earlier_versions(), " ← ")));
  f.facts.emplace_back("Placed on the market",
                       s.placed_on_market_sequence() == 0
                           ? Text("no enabled production deployment recorded")
                           : Cites(TimeText(s.placed_on_market(), true),
                                   {s.placed_on_market_sequence()}));
  f.facts.emplace_back("1.3 Modalities", Text(Modalities(s.modalities())));
  f.facts.emplace_back(
      "Latest data collection",
      Text(s.has_latest_collection() ? TimeText(s.latest_collection(), true)
                                     : "not recorded"));
  if (!s.documents().empty()) {
    Block& t = general.Table(
        {"Published summary", "Version", "SHA-256", "Covers", "Recorded"});
    for (const auto& d : s.documents()) {
      std::vector<std::string> covers;
      for (const auto& m : d.covers_model_versions()) {
        covers.push_back(RefText(m));
      }
      t.rows.push_back(
          {Text(d.uri().empty()
                    ? d.document_id()
                    : absl::StrCat(d.document_id(), " (", d.uri(), ")")),
           Text(d.version()), Text(d.content_sha256()),
           Text(absl::StrJoin(covers, ", ")),
           Cites(TimeText(d.recorded_at(), true), {d.sequence()})});
    }
  }

  Section& list = doc.Add(kTrainingSummarySections[1]);
  std::map<std::string, const TrainingDataSource*> by_name;
  for (const auto& src : s.sources()) by_name[Name(src.dataset())] = &src;
  auto cite = [&](const DatasetRef& d) {
    const TrainingDataSource* src = by_name[Name(d)];
    return src != nullptr && src->sequence() != 0
               ? Cites(Name(d), {src->sequence()})
               : Text(Name(d));
  };
  Block& summary =
      list.Table({"Section", "Category", "Used", "Modalities", "Sources"});
  for (size_t i = 0; i < std::size(kCategories); ++i) {
    const aigov::v1::TrainingDataCategory& c =
        s.categories(static_cast<int>(i));
    std::vector<std::string> names;
    std::vector<uint64_t> cited;
    for (const auto& d : c.datasets()) {
      names.push_back(Name(d));
      const TrainingDataSource* src = by_name[Name(d)];
      if (src != nullptr && src->sequence() != 0)
        cited.push_back(src->sequence());
    }
    summary.rows.push_back({Text(c.number()), Text(kCategories[i].title),
                            Text(c.used() ? "yes" : "no"),
                            Text(c.used() ? Modalities(c.modalities()) : ""),
                            Cites(absl::StrJoin(names, ", "), cited)});
  }
  if (!s.unclassified().empty()) {
    std::vector<std::string> names;
    for (const auto& d : s.unclassified()) names.push_back(Name(d));
    list.Paragraph(
        absl::StrCat("Not classified: ", absl::StrJoin(names, ", "), "."));
  }
  for (const auto& src : s.sources()) {
    list.Heading(Name(src.dataset()));
    Block& d = list.Facts();
    d.facts.emplace_back("Dataset", cite(src.dataset()));
    std::string category = "not classified";
    for (const CategoryRow& row : kCategories) {
      if (row.category == src.category()) {
        category = absl::StrCat(row.number, " ", row.title);
      }
    }
    d.facts.emplace_back("Category", Text(category));
    d.facts.emplace_back("Modalities", Text(Modalities(src.modalities())));
    d.facts.emplace_back("Source", Text(src.source_system()));
    if (!src.source_url().empty()) {
      d.facts.emplace_back("Link", Text(src.source_url()));
    }
    d.facts.emplace_back("Licence", Text(src.licence()));
    d.facts.emplace_back(
        "Collected until",
        Text(TimeText(src.collected_until(), src.has_collected_until())));
    if (src.has_crawler()) {
      const aigov::v1::Crawler& c = src.crawler();
      d.facts.emplace_back("Crawler", Text(c.name()));
      d.facts.emplace_back("Crawler purpose", Text(c.purpose()));
      d.facts.emplace_back(
          "Crawler behaviour",
          Text(absl::StrCat(c.honours_robots_txt() ? "honours robots.txt"
                                                   : "does not record "
                                                     "honouring robots.txt",
                            c.behaviour().empty() ? "" : "; ", c.behaviour())));
      d.facts.emplace_back(
          "Collection period",
          Text(absl::StrCat(
              TimeText(c.collected_from(), c.has_collected_from()), " to ",
              TimeText(c.collected_to(), c.has_collected_to()))));
      d.facts.emplace_back("Most relevant domains",
                           Text(absl::StrJoin(c.top_domains(), ", ")));
    }
  }

  Section& processing = doc.Add(kTrainingSummarySections[2]);
  processing.Heading("3.1 Text-and-data-mining opt-outs");
  std::vector<std::string> honoured;
  for (const auto& src : s.sources()) {
    if (src.tdm_opt_outs_honoured()) honoured.push_back(Name(src.dataset()));
  }
  processing.Paragraph(
      honoured.empty()
          ? "No source is recorded as honouring text-and-data-mining "
            "opt-outs (reservations of rights under Art. 4(3) of Directive "
            "(EU) 2019/790)."
          : absl::StrCat("Recorded as honouring text-and-data-mining "
                         "opt-outs (Art. 4(3) of Directive (EU) 2019/790): ",
                         absl::StrJoin(honoured, ", "), "."));
  processing.Heading("Personal data");
  if (s.personal_data().empty()) {
    processing.Paragraph("No source is recorded as holding personal data.");
  } else {
    Block& t = processing.Table({"Source", "Lawful basis", "Treatment"});
    for (const auto& ref : s.personal_data()) {
      const TrainingDataSource* src = by_name[Name(ref)];
      if (src == nullptr) continue;
      const std::string treatment = AnonymisationText(src->anonymisation());
      t.rows.push_back(
          {cite(ref),
           Text(src->lawful_basis() == aigov::v1::LAWFUL_BASIS_UNSPECIFIED
                    ? "not recorded"
                    : absl::StrReplaceAll(
                          absl::AsciiStrToLower(EnumText(
                              aigov::v1::LawfulBasis_Name(src->lawful_basis()),
                              "LAWFUL_BASIS_")),
                          {{"_", " "}})),
           Text(treatment.empty()
                    ? "not recorded"
                    : absl::StrCat("anonymisation: ", treatment))});
    }
  }
  if (!s.gaps().empty()) {
    processing.Heading("Gaps");
    for (const std::string& gap : s.gaps()) processing.Paragraph(gap);
  }
  return doc;
}

}  // namespace aigov::reports
