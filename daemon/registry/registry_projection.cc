#include "daemon/registry/registry_projection.h"

#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/status_macros.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/kinds/kinds.h"
#include "daemon/storage/rocksdb_status.h"

namespace aigov::registry {
namespace {

using aigov::v1::EventKind;
using aigov::v1::JournalEntry;
using aigov::v1::RegistryRecord;

char Tag(EventKind kind) {
  switch (kind) {
    case aigov::v1::EVENT_KIND_AI_SYSTEM:
      return 'S';
    case aigov::v1::EVENT_KIND_MODEL_VERSION:
      return 'M';
    case aigov::v1::EVENT_KIND_DATASET_VERSION:
      return 'D';
    case aigov::v1::EVENT_KIND_DEPLOYMENT:
      return 'P';
    case aigov::v1::EVENT_KIND_EVIDENCE_DOCUMENT:
      return 'E';
    case aigov::v1::EVENT_KIND_OVERSIGHT_ACTION:
      return 'O';
    case aigov::v1::EVENT_KIND_INCIDENT:
      return 'I';
    case aigov::v1::EVENT_KIND_PERSONAL_DATA_BREACH:
      return 'B';
    case aigov::v1::EVENT_KIND_DATA_SUBJECT_REQUEST:
      return 'Q';
    case aigov::v1::EVENT_KIND_NOTIFICATION:
      return 'N';
    case aigov::v1::EVENT_KIND_MARKING_EVIDENCE:
      return 'W';
    default:
      return '\0';
  }
}

bool Versioned(EventKind kind) {
  return kind == aigov::v1::EVENT_KIND_MODEL_VERSION ||
         kind == aigov::v1::EVENT_KIND_DATASET_VERSION;
}

std::string Key(char tag, absl::string_view id, absl::string_view version) {
  std::string key(1, tag);
  key.append(id.data(), id.size());
  if (tag == 'M' || tag == 'D') {
    key.push_back('\0');
    key.append(version.data(), version.size());
  }
  return key;
}

std::string ModelKey(const aigov::v1::ModelVersionRef& ref) {
  return Key('M', ref.model_id(), ref.version());
}

// The key of the record an entry sets, or "" when it sets none.
std::string EntryKey(const JournalEntry& e) {
  switch (e.event_case()) {
    case JournalEntry::kAiSystem:
      return Key('S', e.ai_system().system_id(), "");
    case JournalEntry::kModelVersion:
      return Key('M', e.model_version().model_id(),
                 e.model_version().version());
    case JournalEntry::kDatasetVersion:
      return Key('D', e.dataset_version().dataset_id(),
                 e.dataset_version().version());
    case JournalEntry::kDeployment:
      return Key('P', e.deployment().deployment_id(), "");
    case JournalEntry::kEvidenceDocument:
      return Key('E', e.evidence_document().document_id(), "");
    case JournalEntry::kOversightAction:
      return Key('O', e.oversight_action().action_id(), "");
    case JournalEntry::kIncident:
      return Key('I', e.incident().incident_id(), "");
    case JournalEntry::kPersonalDataBreach:
      return Key('B', e.personal_data_breach().breach_id(), "");
    case JournalEntry::kDataSubjectRequest:
      return Key('Q', e.data_subject_request().request_id(), "");
    case JournalEntry::kNotification:
      return Key('N', e.notification().notification_id(), "");
    case JournalEntry::kMarkingEvidence:
      return Key('W', e.marking_evidence().deployment_id(), "");
    default:
      return "";
  }
}

absl::Status NotRegistered(absl::string_view path,
                           const aigov::v1::ModelVersionRef& ref) {
  return absl::FailedPreconditionError(absl::StrCat(
      path, ": model version ", ref.model_id(), "@", ref.version(),
      " is not registered; register it first (RegisterModelVersion, or "
      "aigovctl apply with kind: ModelVersion)"));
}

absl::Status DatasetNotRegistered(absl::string_view path,
                                  const aigov::v1::DatasetRef& ref) {
  return absl::FailedPreconditionError(absl::StrCat(
      path, ": dataset version ", ref.dataset_id(), "@", ref.version(),
      " is not registered; register it first (RegisterDatasetVersion, or "
      "aigovctl apply with kind: DatasetVersion)"));
}

// The AI system ids an entry names besides its own record.
std::vector<std::string> SystemsNamed(const JournalEntry& e) {
  switch (e.event_case()) {
    case JournalEntry::kModelVersion:
      return {e.model_version().system_id()};
    case JournalEntry::kOversightAction:
      return {e.oversight_action().system_id()};
    case JournalEntry::kIncident:
      return {e.incident().system_id()};
    default:
      return {};
  }
}

}  // namespace

absl::StatusOr<std::string> RecordKey(EventKind kind, absl::string_view id,
                                      absl::string_view version) {
  const char tag = Tag(kind);
  if (tag == '\0') {
    return absl::InvalidArgumentError(
        absl::StrCat("kind: ", aigov::v1::EventKind_Name(kind),
                     " is not a registry record (expected AI_SYSTEM, "
                     "MODEL_VERSION, DATASET_VERSION, DEPLOYMENT, "
                     "EVIDENCE_DOCUMENT, OVERSIGHT_ACTION, INCIDENT, "
                     "PERSONAL_DATA_BREACH, DATA_SUBJECT_REQUEST, "
                     "NOTIFICATION or MARKING_EVIDENCE; runs are read with "
                     "LineageService)"));
  }
  return Key(tag, id, Versioned(kind) ? version : "");
}

absl::Status RegistryProjection::Attach(rocksdb::DB* db,
                                        rocksdb::ColumnFamilyHandle* family) {
  db_ = db;
  family_ = family;
  return absl::OkStatus();
}

absl::StatusOr<bool> RegistryProjection::Known(const std::string& key) const {
  if (group_keys_.contains(key)) return true;
  std::string value;
  const rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), family_, key, &value);
  if (s.IsNotFound()) return false;
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "reading the registry"));
  return true;
}

absl::Status RegistryProjection::Check(const JournalEntry& entry) {
  if (entry.has_deployment()) {
    const auto& ref = entry.deployment().model_version();
    AIGOV_ASSIGN_OR_RETURN(const bool known, Known(ModelKey(ref)));
    if (!known) return NotRegistered("deployment.model_version", ref);
  }
  if (entry.has_run_event() &&
      entry.run_event().source() == aigov::v1::RUN_SOURCE_GRPC) {
    const auto& run = entry.run_event();
    for (int i = 0; i < run.inputs_size(); ++i) {
      const auto& ref = run.inputs(i);
      AIGOV_ASSIGN_OR_RETURN(const bool known,
                             Known(Key('D', ref.dataset_id(), ref.version())));
      if (!known) {
        return DatasetNotRegistered(absl::StrCat("run.inputs[", i, "]"), ref);
      }
    }
    for (int i = 0; i < run.input_models_size(); ++i) {
      const auto& ref = run.input_models(i);
      AIGOV_ASSIGN_OR_RETURN(const bool known, Known(ModelKey(ref)));
      if (!known) {
        return NotRegistered(absl::StrCat("run.input_models[", i, "]"), ref);
      }
    }
  }
  if (entry.has_oversight_action()) {
    const auto& action = entry.oversight_action();
    if (action.has_model_version()) {
      AIGOV_ASSIGN_OR_RETURN(const bool known,
                             Known(ModelKey(action.model_version())));
      if (!known) {
        return NotRegistered("oversight_action.model_version",
                             action.model_version());
      }
    }
  }
  if (entry.has_incident()) {
    const auto& incident = entry.incident();
    for (int i = 0; i < incident.model_versions_size(); ++i) {
      const auto& ref = incident.model_versions(i);
      AIGOV_ASSIGN_OR_RETURN(const bool known, Known(ModelKey(ref)));
      if (!known) {
        return NotRegistered(absl::StrCat("incident.model_versions[", i, "]"),
                             ref);
      }
    }
  }
  if (entry.has_notification()) {
    const auto& n = entry.notification();
    const std::pair<const char*, std::pair<char, const std::string*>> about[] =
        {{"incident_id", {'I', &n.incident_id()}},
         {"breach_id", {'B', &n.breach_id()}},
         {"request_id", {'Q', &n.request_id()}}};
    for (const auto& [field, target] : about) {
      if (target.second->empty()) continue;
      AIGOV_ASSIGN_OR_RETURN(const bool known,
                             Known(Key(target.first, *target.second, "")));
      if (!known) {
        return absl::FailedPreconditionError(
            absl::StrCat("notification.", field, ": ", *target.second,
                         " was never recorded; record it first"));
      }
    }
  }
  if (entry.has_marking_evidence()) {
    const auto& m = entry.marking_evidence();
    AIGOV_ASSIGN_OR_RETURN(const std::optional<aigov::v1::Deployment> d,
                           DeploymentOf(m.deployment_id()));
    if (!d) {
      return absl::FailedPreconditionError(absl::StrCat(
          "marking_evidence.deployment_id: deployment ", m.deployment_id(),
          " is not registered; register it first (RegisterDeployment, or "
          "aigovctl apply with kind: Deployment)"));
    }
    AIGOV_ASSIGN_OR_RETURN(const std::optional<aigov::v1::ModelVersion> served,
                           ModelVersionOf(d->model_version().model_id(),
                                          d->model_version().version()));
    if (!served || served->system_id() != m.system_id()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "marking_evidence.system_id: deployment ", m.deployment_id(),
          " serves ", d->model_version().model_id(), "@",
          d->model_version().version(), ", a model version of ",
          served ? absl::StrCat("system \"", served->system_id(), "\"")
                 : std::string("no registered system"),
          ", not of ", m.system_id()));
    }
  }
  if (entry.has_evidence_document()) {
    const auto& doc = entry.evidence_document();
    for (int i = 0; i < doc.covers_model_versions_size(); ++i) {
      const auto& ref = doc.covers_model_versions(i);
      AIGOV_ASSIGN_OR_RETURN(const bool known, Known(ModelKey(ref)));
      if (!known) {
        return NotRegistered(
            absl::StrCat("evidence_document.covers_model_versions[", i, "]"),
            ref);
      }
    }
  }
  return absl::OkStatus();
}

void RegistryProjection::Admitted(const JournalEntry& entry) {
  std::string key = EntryKey(entry);
  if (!key.empty()) group_keys_.insert(std::move(key));
  if (entry.has_ai_system()) {
    group_systems_[entry.ai_system().system_id()] = entry.ai_system();
  }
  if (entry.has_model_version()) {
    group_models_[Key('M', entry.model_version().model_id(),
                      entry.model_version().version())] = entry.model_version();
  }
  if (entry.has_deployment()) {
    group_deployments_[entry.deployment().deployment_id()] = entry.deployment();
  }
}

void RegistryProjection::EndGroup() {
  group_keys_.clear();
  group_systems_.clear();
  group_models_.clear();
  group_deployments_.clear();
}

absl::StatusOr<std::optional<aigov::v1::Deployment>>
RegistryProjection::DeploymentOf(const std::string& deployment_id) const {
  if (auto it = group_deployments_.find(deployment_id);
      it != group_deployments_.end()) {
    return it->second;
  }
  AIGOV_ASSIGN_OR_RETURN(const std::optional<RegistryRecord> record,
                         Get(Key('P', deployment_id, "")));
  if (!record || !record->has_deployment()) return std::nullopt;
  return record->deployment();
}

absl::StatusOr<std::optional<aigov::v1::ModelVersion>>
RegistryProjection::ModelVersionOf(const std::string& model_id,
                                   const std::string& version) const {
  const std::string key = Key('M', model_id, version);
  if (auto it = group_models_.find(key); it != group_models_.end()) {
    return it->second;
  }
  AIGOV_ASSIGN_OR_RETURN(const std::optional<RegistryRecord> record, Get(key));
  if (!record || !record->has_model_version()) return std::nullopt;
  return record->model_version();
}

absl::StatusOr<std::optional<aigov::v1::AiSystem>> RegistryProjection::SystemOf(
    const std::string& system_id) const {
  if (auto it = group_systems_.find(system_id); it != group_systems_.end()) {
    return it->second;
  }
  AIGOV_ASSIGN_OR_RETURN(const std::optional<RegistryRecord> record,
                         Get(Key('S', system_id, "")));
  if (!record || record->unregistered()) return std::nullopt;
  return record->ai_system();
}

absl::Status RegistryProjection::Apply(
    absl::Span<const journal::SequencedEntry> entries,
    rocksdb::ColumnFamilyHandle* family, rocksdb::WriteBatch* batch) {
  // The group's new states, by key (a record may change twice in a group);
  // only these are written.
  absl::flat_hash_map<std::string, RegistryRecord> pending;
  const auto current = [&](const std::string& key)
      -> absl::StatusOr<std::optional<RegistryRecord>> {
    if (auto it = pending.find(key); it != pending.end()) return it->second;
    return Get(key);
  };
  const google::protobuf::Descriptor* record_type =
      RegistryRecord::descriptor();
  for (const journal::SequencedEntry& s : entries) {
    const JournalEntry& e = *s.entry;
    // Datasets lineage names (a run's or a job's inputs and outputs, a
    // DatasetEvent's dataset) that nobody registered: declared by lineage.
    std::vector<const aigov::v1::DatasetRef*> named;
    if (e.has_run_event()) {
      for (const auto& ref : e.run_event().inputs()) named.push_back(&ref);
      for (const auto& ref : e.run_event().outputs()) named.push_back(&ref);
    } else if (e.has_lineage_declaration()) {
      const aigov::v1::LineageDeclaration& d = e.lineage_declaration();
      for (const auto& ref : d.inputs()) named.push_back(&ref);
      for (const auto& ref : d.outputs()) named.push_back(&ref);
      if (d.has_dataset()) named.push_back(&d.dataset());
    }
    for (const aigov::v1::DatasetRef* ref : named) {
      const std::string key = Key('D', ref->dataset_id(), ref->version());
      AIGOV_ASSIGN_OR_RETURN(const std::optional<RegistryRecord> known,
                             current(key));
      if (known) continue;
      RegistryRecord declared;
      auto* d = declared.mutable_dataset_version();
      d->set_dataset_id(ref->dataset_id());
      d->set_version(ref->version());
      d->set_declared_by_lineage(true);
      declared.set_unregistered(true);
      declared.add_sequences(e.sequence());
      pending[key] = std::move(declared);
    }
    const std::string key = EntryKey(e);
    if (key.empty()) continue;
    AIGOV_ASSIGN_OR_RETURN(const std::optional<RegistryRecord> before,
                           current(key));
    RegistryRecord record;
    if (before && !before->unregistered()) {
      *record.mutable_sequences() = before->sequences();
    }
    record.add_sequences(e.sequence());
    // The record field has the name of the entry's event field.
    const google::protobuf::Message* event = kinds::EventOf(e);
    const google::protobuf::FieldDescriptor* field =
        record_type->FindFieldByName(
            e.GetReflection()
                ->GetOneofFieldDescriptor(
                    e, e.GetDescriptor()->FindOneofByName("event"))
                ->name());
    record.GetReflection()->MutableMessage(&record, field)->CopyFrom(*event);
    *record.mutable_sealed_fields() = e.sealed_fields();
    pending[key] = std::move(record);

    for (const std::string& system_id : SystemsNamed(e)) {
      const std::string system = Key('S', system_id, "");
      AIGOV_ASSIGN_OR_RETURN(const std::optional<RegistryRecord> sys,
                             current(system));
      if (!sys) {
        RegistryRecord shadow;
        shadow.mutable_ai_system()->set_system_id(system_id);
        shadow.set_unregistered(true);
        shadow.add_sequences(e.sequence());
        pending[system] = std::move(shadow);
      }
    }
  }
  for (const auto& [key, record] : pending) {
    batch->Put(family, key, journal::SerializeDeterministic(record));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<RegistryRecord>> RegistryProjection::Get(
    const std::string& key) const {
  std::string value;
  const rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), family_, key, &value);
  if (s.IsNotFound()) return std::nullopt;
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "reading the registry"));
  RegistryRecord record;
  if (!record.ParseFromString(value)) {
    return absl::DataLossError("a registry record does not parse");
  }
  return record;
}

absl::StatusOr<RegistryProjection::ListPage> RegistryProjection::List(
    EventKind kind, absl::string_view id, bool unregistered_only,
    const std::string& start_key, size_t page_size) const {
  AIGOV_ASSIGN_OR_RETURN(std::string prefix, RecordKey(kind, "", ""));
  prefix.resize(1);  // the tag alone
  if (!id.empty()) {
    prefix.append(id.data(), id.size());
    // A versioned id is followed by '\0'; an unversioned one ends the key.
    if (Versioned(kind)) prefix.push_back('\0');
  }
  const bool exact = !id.empty() && !Versioned(kind);
  ListPage page;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family_));
  for (it->Seek(start_key > prefix ? start_key : prefix);
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (exact && it->key().size() != prefix.size()) break;
    RegistryRecord record;
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a registry record does not parse");
    }
    if (unregistered_only && !record.unregistered()) continue;
    if (page.records.size() == page_size) {
      page.next_key = it->key().ToString();
      break;
    }
    page.records.push_back(std::move(record));
  }
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(it->status(), "listing the registry"));
  return page;
}

absl::StatusOr<uint64_t> RegistryProjection::CountUnregistered() const {
  uint64_t count = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family_));
  for (it->Seek("S"); it->Valid() && it->key().starts_with("S"); it->Next()) {
    RegistryRecord record;
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a registry record does not parse");
    }
    if (record.unregistered()) ++count;
  }
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(it->status(), "counting unregistered systems"));
  return count;
}

}  // namespace aigov::registry
