#include "agents/cli/records_cmd.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

#include "agents/cli/client.h"
#include "agents/cli/documents.h"
#include "aigov/v1/governance_service.grpc.pb.h"
#include "aigov/v1/lineage_service.grpc.pb.h"
#include "aigov/v1/monitoring_service.grpc.pb.h"
#include "aigov/v1/registry_service.grpc.pb.h"
#include "daemon/kinds/kinds.h"
#include "nlohmann/json.hpp"

namespace aigov::cli {
namespace {

bool ReadInput(const std::string& path, std::string* text) {
  std::stringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(path);
    if (!in) return false;
    buf << in.rdbuf();
  }
  *text = buf.str();
  return true;
}

// "<Kind> <id>[@<version>]" of a record message: its first field is its id.
std::string Name(const std::string& kind, const google::protobuf::Message& m) {
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  const google::protobuf::Reflection* r = m.GetReflection();
  std::string out = kind;
  if (const auto* id = d->FindFieldByNumber(1);
      id != nullptr &&
      id->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
    absl::StrAppend(&out, " ", r->GetString(m, id));
  }
  if (kind == "ModelVersion" || kind == "DatasetVersion") {
    absl::StrAppend(&out, "@", r->GetString(m, d->FindFieldByName("version")));
  }
  return out;
}

// What a write answered.
struct Written {
  grpc::Status status;
  uint64_t sequence = 0;
  bool deduplicated = false;
  std::string detail;  // printed after the sequence
};

// Sends `request` through `method` and reads the common response fields.
template <typename Stub, typename Request, typename Response>
Written Send(Stub* stub,
             grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                          Response*),
             const Request& request) {
  Response response;
  Written out;
  out.status = (stub->*method)(Context().get(), request, &response);
  out.sequence = response.sequence();
  out.deduplicated = response.deduplicated();
  return out;
}

// The stubs a document may be sent through.
struct Stubs {
  explicit Stubs(const std::shared_ptr<grpc::Channel>& channel)
      : registry(aigov::v1::RegistryService::NewStub(channel)),
        lineage(aigov::v1::LineageService::NewStub(channel)),
        governance(aigov::v1::GovernanceService::NewStub(channel)),
        monitoring(aigov::v1::MonitoringService::NewStub(channel)) {}
  std::unique_ptr<aigov::v1::RegistryService::Stub> registry;
  std::unique_ptr<aigov::v1::LineageService::Stub> lineage;
  std::unique_ptr<aigov::v1::GovernanceService::Stub> governance;
  std::unique_ptr<aigov::v1::MonitoringService::Stub> monitoring;
};

// The request of a write: event_id, and the document's record in field 2
// (every write request has that shape).
template <typename Request>
Request RequestFor(const Document& doc) {
  Request req;
  req.set_event_id(doc.event_id);
  req.GetReflection()
      ->MutableMessage(&req, req.GetDescriptor()->FindFieldByNumber(2))
      ->CopyFrom(*doc.message);
  return req;
}

// A writer for a kind whose answer is only sequence and deduplicated.
template <typename Stub, typename Request, typename Response>
std::function<Written(Stubs&, const Document&)> Simple(
    std::unique_ptr<Stub> Stubs::*stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*)) {
  return [stub, method](Stubs& stubs, const Document& doc) {
    return Send((stubs.*stub).get(), method, RequestFor<Request>(doc));
  };
}

Written WriteDataSubjectRequest(Stubs& stubs, const Document& doc) {
  aigov::v1::RecordDataSubjectRequestResponse response;
  Written out;
  out.status = stubs.governance->RecordDataSubjectRequest(
      Context().get(),
      RequestFor<aigov::v1::RecordDataSubjectRequestRequest>(doc), &response);
  out.sequence = response.sequence();
  out.deduplicated = response.deduplicated();
  if (!response.erased_subject_id().empty()) {
    std::vector<std::string> models;
    for (const auto& mv : response.affected_model_versions()) {
      models.push_back(absl::StrCat(mv.model_id(), "@", mv.version()));
    }
    out.detail = absl::StrCat(
        "; subject erased (erasure sequence ", response.erasure_sequence(),
        "); affected model versions: ",
        models.empty() ? "none" : absl::StrJoin(models, ", "),
        "; deployments: ",
        response.affected_deployments().empty()
            ? "none"
            : absl::StrJoin(response.affected_deployments(), ", "));
  }
  return out;
}

// A window profile goes as a batch of one; its result carries the outcome.
Written WriteWindowProfile(Stubs& stubs, const Document& doc) {
  aigov::v1::ReportWindowBatchRequest request;
  *request.add_windows() = RequestFor<aigov::v1::ReportWindowsRequest>(doc);
  aigov::v1::ReportWindowBatchResponse response;
  Written out;
  out.status =
      stubs.monitoring->ReportWindowBatch(Context().get(), request, &response);
  if (!out.status.ok()) return out;
  if (response.results_size() != 1) {
    out.status =
        grpc::Status(grpc::StatusCode::INTERNAL,
                     "aigovd answered a batch of one with " +
                         std::to_string(response.results_size()) + " results");
    return out;
  }
  const aigov::v1::WindowReportResult& r = response.results(0);
  out.status =
      grpc::Status(static_cast<grpc::StatusCode>(r.code()), r.message());
  out.sequence = r.sequence();
  out.deduplicated = r.deduplicated();
  if (!r.evaluation_sequences().empty()) {
    out.detail += absl::StrCat("; closed earlier windows, evaluations at ",
                               absl::StrJoin(r.evaluation_sequences(), ", "));
  }
  return out;
}

// How each kind of document is recorded.
const std::map<std::string, std::function<Written(Stubs&, const Document&)>>&
Writers() {
  using R = aigov::v1::RegistryService::Stub;
  using L = aigov::v1::LineageService::Stub;
  using G = aigov::v1::GovernanceService::Stub;
  using M = aigov::v1::MonitoringService::Stub;
  static const auto* const writers = new std::map<
      std::string, std::function<Written(Stubs&, const Document&)>>{
      {"ModelVersion", Simple(&Stubs::registry, &R::RegisterModelVersion)},
      {"AiSystem", Simple(&Stubs::registry, &R::RegisterAiSystem)},
      {"DatasetVersion", Simple(&Stubs::registry, &R::RegisterDatasetVersion)},
      {"Deployment", Simple(&Stubs::registry, &R::RegisterDeployment)},
      {"EvidenceDocument",
       Simple(&Stubs::registry, &R::RegisterEvidenceDocument)},
      {"Run", Simple(&Stubs::lineage, &L::RecordRun)},
      {"OversightAction",
       Simple(&Stubs::governance, &G::RecordOversightAction)},
      {"Incident", Simple(&Stubs::governance, &G::RecordIncident)},
      {"PersonalDataBreach", Simple(&Stubs::governance, &G::RecordBreach)},
      {"Notification", Simple(&Stubs::governance, &G::RecordNotification)},
      {"MarkingEvidence",
       Simple(&Stubs::governance, &G::RecordMarkingEvidence)},
      {"DataSubjectRequest", WriteDataSubjectRequest},
      {"ReferenceProfile", Simple(&Stubs::monitoring, &M::PutReferenceProfile)},
      {"WindowProfile", WriteWindowProfile},
      {"PerformanceSample", Simple(&Stubs::monitoring, &M::ReportPerformance)},
      {"DriftScore", Simple(&Stubs::monitoring, &M::ReportDriftScore)},
  };
  return *writers;
}

// The kinds whose records the registry keeps (GetRecord, ListRecords), by
// name (daemon/kinds/kinds.h).
const std::map<std::string, aigov::v1::EventKind>& RegistryKinds() {
  static const auto* const by_name = [] {
    auto* out = new std::map<std::string, aigov::v1::EventKind>;
    for (const kinds::Kind& k : kinds::All()) {
      if (k.record) (*out)[k.name] = k.kind;
    }
    return out;
  }();
  return *by_name;
}

// The record message a RegistryRecord holds.
const google::protobuf::Message* RecordOf(const aigov::v1::RegistryRecord& r) {
  static const google::protobuf::OneofDescriptor* const oneof =
      aigov::v1::RegistryRecord::descriptor()->FindOneofByName("record");
  const auto* field = r.GetReflection()->GetOneofFieldDescriptor(r, oneof);
  return field == nullptr ? nullptr : &r.GetReflection()->GetMessage(r, field);
}

std::string Line(const std::string& kind, const aigov::v1::RegistryRecord& r) {
  std::string out = Name(kind, *RecordOf(r));
  absl::StrAppend(&out, "  sequences ", absl::StrJoin(r.sequences(), ","));
  if (r.unregistered()) absl::StrAppend(&out, "  UNREGISTERED");
  if (r.has_dataset_version() && r.dataset_version().declared_by_lineage()) {
    absl::StrAppend(&out, "  declared by lineage");
  }
  if (!r.erased_fields().empty()) {
    absl::StrAppend(&out, "  erased: ", absl::StrJoin(r.erased_fields(), ","));
  }
  return out;
}

std::string DatasetName(const aigov::v1::DatasetRef& d) {
  return absl::StrCat(d.dataset_id(), "@", d.version());
}

std::string DatasetLine(const aigov::v1::DatasetSummary& d) {
  std::string out = DatasetName(d.dataset());
  absl::StrAppend(
      &out, "  licence=", d.licence().empty() ? "-" : d.licence(),
      "  personal-data=", d.contains_personal_data() ? "yes" : "no");
  if (!d.special_categories().empty()) {
    absl::StrAppend(&out,
                    "  special=", absl::StrJoin(d.special_categories(), ","));
  }
  if (!d.registered()) absl::StrAppend(&out, "  (not registered)");
  if (d.declared_by_lineage()) absl::StrAppend(&out, "  declared by lineage");
  return out;
}

}  // namespace

std::vector<std::string> WritableKinds() {
  std::vector<std::string> out;
  for (const auto& [kind, writer] : Writers()) out.push_back(kind);
  return out;
}

int ApplyFiles(const std::string& target, const std::vector<std::string>& files,
               bool json) {
  std::vector<std::pair<std::string, std::vector<Document>>> parsed;
  bool parse_failed = false;
  for (const std::string& file : files) {
    std::string text;
    if (!ReadInput(file, &text)) {
      std::fprintf(stderr, "error: cannot read %s\n", file.c_str());
      parse_failed = true;
      continue;
    }
    auto docs = ParseDocuments(text, file == "-" ? "<stdin>" : file);
    if (!docs.ok()) {
      std::fprintf(stderr, "error: %s\n",
                   std::string(docs.status().message()).c_str());
      parse_failed = true;
      continue;
    }
    parsed.emplace_back(file, std::move(*docs));
  }
  if (parse_failed) {
    std::fprintf(stderr, "nothing was applied\n");
    return 1;
  }
  // Every kind documents.cc parses has a writer (cli_test compares
  // WritableKinds with SupportedKinds); a gap is refused before any send.
  for (const auto& [file, docs] : parsed) {
    for (const Document& doc : docs) {
      if (Writers().count(doc.kind) == 0) {
        std::fprintf(stderr, "error: aigovctl cannot send kind %s (a bug)\n",
                     doc.kind.c_str());
        return 1;
      }
    }
  }
  Stubs stubs(MakeChannel(target));
  int failures = 0;
  int applied = 0;
  size_t total = 0;
  for (const auto& entry : parsed) total += entry.second.size();
  const bool progress =
      ::isatty(STDERR_FILENO) != 0 && (json || ::isatty(STDOUT_FILENO) == 0);
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  const auto done = [&] {
    if (progress) {
      std::fprintf(stderr, "\rapplying: %d / %zu documents", failures + applied,
                   total);
      if (static_cast<size_t>(failures + applied) == total) {
        std::fprintf(stderr, "\n");
      }
    }
  };
  for (const auto& [file, docs] : parsed) {
    for (const Document& doc : docs) {
      const std::string name = Name(doc.kind, *doc.message);
      const Written w = Writers().at(doc.kind)(stubs, doc);
      nlohmann::ordered_json r = {{"file", file},      {"line", doc.line},
                                  {"kind", doc.kind},  {"name", name},
                                  {"result", nullptr}, {"sequence", nullptr},
                                  {"error", nullptr}};
      if (!w.status.ok()) {
        if (progress) std::fprintf(stderr, "\n");
        std::fprintf(stderr, "%s:%d: %s: %s\n", file.c_str(), doc.line,
                     name.c_str(), Describe(w.status, target).c_str());
        ++failures;
        r["result"] = "failed";
        r["error"] = Describe(w.status, target);
        results.push_back(std::move(r));
        if (w.status.error_code() == grpc::StatusCode::UNAVAILABLE) {
          if (json) std::printf("%s\n", results.dump().c_str());
          return 1;
        }
        done();
        continue;
      }
      if (json) {
        r["result"] = w.deduplicated ? "unchanged" : "created";
        r["sequence"] = w.sequence;
        results.push_back(std::move(r));
      } else {
        std::printf("%s %s (sequence %llu)%s\n", name.c_str(),
                    w.deduplicated ? "unchanged" : "created",
                    static_cast<unsigned long long>(w.sequence),
                    w.detail.c_str());
      }
      ++applied;
      done();
    }
  }
  if (json) std::printf("%s\n", results.dump().c_str());
  if (failures > 0) {
    std::fprintf(stderr, "%d of %d documents failed\n", failures,
                 failures + applied);
    return 1;
  }
  return 0;
}

int GetRecords(const std::string& target, const std::string& kind,
               const std::string& id, bool json, bool unregistered,
               bool unfinished) {
  const auto channel = MakeChannel(target);
  if (kind == "Run") {
    auto lineage = aigov::v1::LineageService::NewStub(channel);
    std::vector<aigov::v1::LineageRun> runs;
    if (!id.empty()) {
      aigov::v1::GetRunRequest req;
      req.set_run_id(id);
      aigov::v1::GetRunResponse resp;
      const grpc::Status s = lineage->GetRun(Context().get(), req, &resp);
      if (!s.ok()) {
        std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
        return 1;
      }
      runs.push_back(std::move(*resp.mutable_run()));
    } else {
      aigov::v1::ListRunsRequest req;
      req.set_unfinished_only(unfinished);
      do {
        aigov::v1::ListRunsResponse resp;
        const grpc::Status s = lineage->ListRuns(Context().get(), req, &resp);
        if (!s.ok()) {
          std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
          return 1;
        }
        for (auto& r : *resp.mutable_runs()) runs.push_back(std::move(r));
        req.set_page_token(resp.next_page_token());
      } while (!req.page_token().empty());
    }
    if (json) {
      std::vector<std::string> items;
      for (const auto& r : runs) items.push_back(ToJson(r));
      std::printf("[%s]\n", absl::StrJoin(items, ",").c_str());
      return 0;
    }
    for (const auto& r : runs) {
      std::printf("Run %s  %s/%s  %s%s  inputs %d  outputs %d\n",
                  r.run_id().c_str(), r.job_namespace().c_str(),
                  r.job_name().c_str(),
                  aigov::v1::RunEventType_Name(r.state()).c_str() + 15,
                  r.finished() ? "" : " (unfinished)",
                  r.inputs_size() + r.input_models_size(),
                  r.outputs_size() + r.output_models_size());
    }
    return 0;
  }
  const auto it = RegistryKinds().find(kind);
  if (it == RegistryKinds().end()) {
    std::vector<std::string> names = {"Run"};
    for (const auto& [name, k] : RegistryKinds()) names.push_back(name);
    std::fprintf(stderr, "error: unknown kind \"%s\" (one of %s)\n",
                 kind.c_str(), absl::StrJoin(names, ", ").c_str());
    return 2;
  }
  auto registry = aigov::v1::RegistryService::NewStub(channel);
  std::vector<aigov::v1::RegistryRecord> records;
  const bool versioned = kind == "ModelVersion" || kind == "DatasetVersion";
  std::string record_id = id, version;
  const bool one =
      !id.empty() && (!versioned || SplitVersioned(id, &record_id, &version));
  if (one) {
    aigov::v1::GetRecordRequest req;
    req.set_kind(it->second);
    req.set_id(record_id);
    req.set_version(version);
    aigov::v1::GetRecordResponse resp;
    const grpc::Status s = registry->GetRecord(Context().get(), req, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
      return 1;
    }
    const aigov::v1::RegistryRecord& record = resp.record();
    if (json) {
      std::printf("%s\n", ToJson(record).c_str());
    } else {
      std::printf("%s\n%s\n", Line(kind, record).c_str(),
                  ToJson(*RecordOf(record), true).c_str());
    }
    return 0;
  }
  aigov::v1::ListRecordsRequest req;
  req.set_kind(it->second);
  req.set_id(id);
  req.set_unregistered_only(unregistered);
  do {
    aigov::v1::ListRecordsResponse resp;
    const grpc::Status s = registry->ListRecords(Context().get(), req, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
      return 1;
    }
    for (auto& r : *resp.mutable_records()) records.push_back(std::move(r));
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  if (json) {
    std::vector<std::string> items;
    for (const auto& r : records) items.push_back(ToJson(r));
    std::printf("[%s]\n", absl::StrJoin(items, ",").c_str());
    return 0;
  }
  for (const auto& r : records) std::printf("%s\n", Line(kind, r).c_str());
  return 0;
}

int LineageImpact(const std::string& target, const std::string& dataset,
                  bool json) {
  aigov::v1::GetImpactRequest req;
  if (!SplitVersioned(dataset, req.mutable_dataset()->mutable_dataset_id(),
                      req.mutable_dataset()->mutable_version())) {
    std::fprintf(stderr,
                 "error: --dataset: expected ID@VERSION (e.g. "
                 "applications@2026-10), got \"%s\"\n",
                 dataset.c_str());
    return 2;
  }
  auto stub = aigov::v1::LineageService::NewStub(MakeChannel(target));
  aigov::v1::GetImpactResponse resp;
  const grpc::Status s = stub->GetImpact(Context().get(), req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
    return 1;
  }
  if (json) {
    std::printf("%s\n", ToJson(resp).c_str());
    return 0;
  }
  std::printf("impact of dataset %s\n", dataset.c_str());
  std::printf("derived datasets (%d)\n", resp.derived_datasets_size());
  for (const auto& d : resp.derived_datasets()) {
    std::printf("  %s\n", DatasetLine(d).c_str());
  }
  std::printf("model versions (%d)\n", resp.model_versions_size());
  for (const auto& m : resp.model_versions()) {
    std::printf("  %s@%s\n", m.model_id().c_str(), m.version().c_str());
  }
  std::printf("deployments (%d)\n", resp.deployments_size());
  for (const auto& p : resp.deployments()) {
    std::printf("  %s  serves %s@%s  %s  %s\n", p.deployment_id().c_str(),
                p.model_version().model_id().c_str(),
                p.model_version().version().c_str(),
                aigov::v1::Environment_Name(p.environment()).c_str(),
                aigov::v1::DeploymentState_Name(p.state()).c_str());
  }
  return 0;
}

int LineageProvenance(const std::string& target, const std::string& model,
                      const std::string& deployment, bool json) {
  aigov::v1::GetProvenanceRequest req;
  if (model.empty() == deployment.empty()) {
    std::fprintf(stderr,
                 "error: give exactly one of --model ID@VERSION and "
                 "--deployment ID\n");
    return 2;
  }
  if (!model.empty() &&
      !SplitModelFlag(model, req.mutable_model_version()->mutable_model_id(),
                      req.mutable_model_version()->mutable_version())) {
    return 2;
  }
  if (!deployment.empty()) req.set_deployment_id(deployment);
  auto stub = aigov::v1::LineageService::NewStub(MakeChannel(target));
  aigov::v1::GetProvenanceResponse resp;
  const grpc::Status s = stub->GetProvenance(Context().get(), req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
    return 1;
  }
  if (json) {
    std::printf("%s\n", ToJson(resp).c_str());
    return 0;
  }
  std::printf("provenance of %s\n", model.empty()
                                        ? ("deployment " + deployment).c_str()
                                        : ("model version " + model).c_str());
  std::printf("source datasets (%d)\n", resp.source_datasets_size());
  for (const auto& d : resp.source_datasets()) {
    std::printf("  %s\n", DatasetLine(d).c_str());
  }
  std::printf("all upstream datasets (%d)\n", resp.datasets_size());
  for (const auto& d : resp.datasets()) {
    std::printf("  %s\n", DatasetLine(d).c_str());
  }
  std::printf("model versions (%d)\n", resp.model_versions_size());
  for (const auto& m : resp.model_versions()) {
    std::printf("  %s@%s\n", m.model_id().c_str(), m.version().c_str());
  }
  return 0;
}

}  // namespace aigov::cli
