#include "daemon/compliance/compliance_view.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"

#include "daemon/common/sha256.h"
#include "daemon/common/status_macros.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/rules/snapshot.h"
#include "daemon/storage/rocksdb_status.h"

namespace aigov::compliance {
namespace {

using aigov::internal::v1::DatasetUsers;
using aigov::internal::v1::SystemRecord;
using aigov::internal::v1::VersionMonitoring;
using aigov::v1::JournalEntry;

constexpr char kSystem = 's';
constexpr char kVersion = 'v';
constexpr char kDataset = 'd';
constexpr char kIndex = 'x';
constexpr char kHistory = 'h';
constexpr char kMonitoring = 'm';

std::string Key(char tag, absl::string_view id) {
  std::string k(1, tag);
  k.append(id.data(), id.size());
  return k;
}
std::string Key(char tag, absl::string_view id, absl::string_view version) {
  std::string k = Key(tag, id);
  k.push_back('\0');
  k.append(version.data(), version.size());
  return k;
}
// 'm' system \0 model \0 version: one version's monitoring, kept apart
// from the system's record because telemetry changes it at every sample.
std::string MonitoringKey(absl::string_view system, absl::string_view model,
                          absl::string_view version) {
  std::string k = Key(kMonitoring, system, model);
  k.push_back('\0');
  k.append(version.data(), version.size());
  return k;
}
// 'h' system \0 big-endian sequence: ordered by sequence within a system.
std::string HistoryKey(absl::string_view system, uint64_t sequence) {
  std::string k = Key(kHistory, system, "");
  for (int shift = 56; shift >= 0; shift -= 8) {
    k.push_back(static_cast<char>((sequence >> shift) & 0xff));
  }
  return k;
}

}  // namespace

// Reads through the writes of the current group (or Apply) to the
// committed family; Flush hands the writes to a batch. System records are
// held parsed while the group lasts and serialized once, at Flush: a record
// (every version, document and fact of a system) is the largest value of
// the family, and an entry reads and changes it several times.
class ComplianceView::Store {
 public:
  // `cache` (may be null): committed records parsed earlier, taken from on
  // a miss (moved out: the store owns them from then on).
  // `routes` (may be null): committed model version -> system keys read
  // earlier, consulted before RocksDB. `telemetry` (may be null): committed
  // monitoring read or written earlier, consulted before RocksDB.
  Store(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
        RecordCache* cache = nullptr, RouteCache* routes = nullptr,
        TelemetryCache* telemetry = nullptr)
      : db_(db),
        family_(family),
        cache_(cache),
        routes_(routes),
        telemetry_(telemetry) {}

  absl::StatusOr<std::optional<std::string>> Get(const std::string& key) const {
    if (auto it = writes_.find(key); it != writes_.end()) return it->second;
    if (routes_ == nullptr || key.empty() || key[0] != kVersion) {
      return GetCommitted(key);
    }
    if (auto r = routes_->find(key); r != routes_->end()) return r->second;
    AIGOV_ASSIGN_OR_RETURN(std::optional<std::string> value, GetCommitted(key));
    if (value) {
      if (routes_->size() >= kMaxCachedRoutes) routes_->clear();
      (*routes_)[key] = *value;
    }
    return value;
  }

  template <typename Message>
  absl::StatusOr<std::optional<Message>> GetMessage(
      const std::string& key) const {
    AIGOV_ASSIGN_OR_RETURN(const std::optional<std::string> bytes, Get(key));
    if (!bytes) return std::nullopt;
    return Parse<Message>(*bytes);
  }

  // The system's record, as the group left it; a fresh one (only its id)
  // when none is stored. Owned by the store until Clear or Release; what
  // Touch and TouchMonitoring mark is written at Flush.
  absl::StatusOr<SystemRecord*> Record(const std::string& system_id) {
    auto it = records_.find(system_id);
    if (it != records_.end()) return it->second.record.get();
    Held held;
    if (cache_ != nullptr) {
      if (auto c = cache_->find(system_id); c != cache_->end()) {
        held.record = std::move(c->second);
        cache_->erase(c);
      }
    }
    if (held.record == nullptr) {
      AIGOV_ASSIGN_OR_RETURN(std::optional<SystemRecord> r,
                             LoadCommitted(system_id));
      held.record = std::make_unique<SystemRecord>();
      if (r) {
        *held.record = *std::move(r);
      } else {
        held.record->set_system_id(system_id);
      }
    }
    held.loaded_next_due = NextDueOf(*held.record);
    // Monitoring the group changed without the record (PutQuiet) moves
    // into it: from now on the record holds the group's state.
    if (auto q = quiet_.find(system_id); q != quiet_.end()) {
      for (auto& [key, m] : q->second) {
        VersionMonitoring* into = nullptr;
        for (auto& have : *held.record->mutable_monitoring()) {
          if (have.model_id() == m.model_id() &&
              have.version() == m.version()) {
            into = &have;
          }
        }
        if (into == nullptr) into = held.record->add_monitoring();
        held.monitoring.emplace(m.model_id(), m.version());
        *into = std::move(m);
      }
      quiet_.erase(q);
    }
    SystemRecord* out = held.record.get();
    records_.emplace(system_id, std::move(held));
    return out;
  }

  // True when the group holds the system's record.
  bool Holds(const std::string& system_id) const {
    return records_.count(system_id) > 0;
  }

  // One version's monitoring as the group left it, for a system whose
  // record the group does not hold; nullopt when none is stored.
  absl::StatusOr<std::optional<VersionMonitoring>> Monitoring(
      const std::string& system_id, const std::string& model,
      const std::string& version) {
    const std::string key = MonitoringKey(system_id, model, version);
    if (auto q = quiet_.find(system_id); q != quiet_.end()) {
      if (auto m = q->second.find(key); m != q->second.end()) return m->second;
    }
    if (telemetry_ != nullptr) {
      if (auto t = telemetry_->find(key); t != telemetry_->end()) {
        return t->second;
      }
    }
    AIGOV_ASSIGN_OR_RETURN(std::optional<VersionMonitoring> m,
                           GetMessage<VersionMonitoring>(key));
    if (m && telemetry_ != nullptr) {
      if (telemetry_->size() >= kMaxCachedTelemetry) telemetry_->clear();
      (*telemetry_)[key] = *m;
    }
    return m;
  }
  // Replaces one version's monitoring, for a system whose record the
  // group does not hold; written at Flush.
  void PutQuiet(const std::string& system_id, VersionMonitoring m) {
    std::string key = MonitoringKey(system_id, m.model_id(), m.version());
    quiet_[system_id][std::move(key)] = std::move(m);
  }

  // The committed record of a system (its monitoring merged in), or
  // nullopt when no record is stored.
  absl::StatusOr<std::optional<SystemRecord>> LoadCommitted(
      const std::string& system_id) const {
    AIGOV_ASSIGN_OR_RETURN(const std::optional<std::string> bytes,
                           GetCommitted(Key(kSystem, system_id)));
    if (!bytes) return std::nullopt;
    AIGOV_ASSIGN_OR_RETURN(SystemRecord r, Parse<SystemRecord>(*bytes));
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), family_));
    const std::string prefix = Key(kMonitoring, system_id, "");
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      if (!r.add_monitoring()->ParseFromArray(
              it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError(
            "compliance view: a VersionMonitoring record does not parse");
      }
    }
    AIGOV_RETURN_IF_ERROR(
        storage::FromRocksDb(it->status(), "reading the compliance view"));
    return r;
  }

  // Marks the record (all but its monitoring) to be written at Flush.
  void Touch(const std::string& system_id) {
    if (auto it = records_.find(system_id); it != records_.end()) {
      it->second.dirty = true;
    }
  }
  // Marks one version's monitoring of the record to be written at Flush.
  void TouchMonitoring(const std::string& system_id, const std::string& model,
                       const std::string& version) {
    if (auto it = records_.find(system_id); it != records_.end()) {
      it->second.monitoring.emplace(model, version);
    }
  }

  void Put(const std::string& key, const google::protobuf::Message& m) {
    writes_[key] = journal::SerializeDeterministic(m);
  }
  void PutRaw(const std::string& key, std::string value) {
    // A route changed in a group is read from the group until written,
    // then from RocksDB again.
    if (routes_ != nullptr) routes_->erase(key);
    writes_[key] = std::move(value);
  }

  void Flush(rocksdb::ColumnFamilyHandle* family, rocksdb::WriteBatch* batch) {
    for (auto& [id, held] : records_) {
      SystemRecord& r = *held.record;
      if (held.dirty || NextDueOf(r) != held.loaded_next_due) {
        // The monitoring is stored under its own keys.
        google::protobuf::RepeatedPtrField<
            aigov::internal::v1::VersionMonitoring>
            monitoring;
        monitoring.Swap(r.mutable_monitoring());
        batch->Put(family, Key(kSystem, id),
                   journal::SerializeDeterministic(r));
        monitoring.Swap(r.mutable_monitoring());
      }
      for (const auto& [model, version] : held.monitoring) {
        for (const auto& m : r.monitoring()) {
          if (m.model_id() == model && m.version() == version) {
            batch->Put(family, MonitoringKey(id, model, version),
                       journal::SerializeDeterministic(m));
          }
        }
      }
    }
    for (const auto& [id, versions] : quiet_) {
      for (const auto& [key, m] : versions) {
        batch->Put(family, key, journal::SerializeDeterministic(m));
      }
    }
    for (const auto& [key, value] : writes_) {
      if (value) batch->Put(family, key, *value);
    }
  }
  // Hands the records to `cache` and the monitoring written to
  // `telemetry` (they are committed), leaving at most `max` records.
  void Release(RecordCache* cache, size_t max, TelemetryCache* telemetry) {
    if (telemetry->size() >= kMaxCachedTelemetry) telemetry->clear();
    for (auto& [id, held] : records_) {
      for (const auto& m : held.record->monitoring()) {
        if (held.monitoring.count({m.model_id(), m.version()}) > 0) {
          (*telemetry)[MonitoringKey(id, m.model_id(), m.version())] = m;
        }
      }
      while (cache->size() >= max && !cache->empty()) {
        cache->erase(cache->begin());
      }
      (*cache)[id] = std::move(held.record);
    }
    records_.clear();
    for (auto& [id, versions] : quiet_) {
      auto c = cache->find(id);
      for (auto& [key, m] : versions) {
        if (c != cache->end()) {
          for (auto& have : *c->second->mutable_monitoring()) {
            if (have.model_id() == m.model_id() &&
                have.version() == m.version()) {
              have = m;
            }
          }
        }
        (*telemetry)[key] = std::move(m);
      }
    }
    quiet_.clear();
  }
  void Clear() {
    writes_.clear();
    records_.clear();
    quiet_.clear();
    folded_.clear();
  }

  // The sequences folded into the store, in order (Folder::Fold).
  std::vector<uint64_t>& folded() { return folded_; }
  // The ids of the records the store holds.
  std::vector<std::string> systems() const {
    std::vector<std::string> out;
    for (const auto& [id, held] : records_) out.push_back(id);
    return out;
  }

 private:
  absl::StatusOr<std::optional<std::string>> GetCommitted(
      const std::string& key) const {
    std::string value;
    const rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), family_, key, &value);
    if (s.IsNotFound()) return std::nullopt;
    AIGOV_RETURN_IF_ERROR(
        storage::FromRocksDb(s, "reading the compliance view"));
    return value;
  }

  static int64_t NextDueOf(const SystemRecord& r) {
    return r.has_next_due() ? absl::ToUnixNanos(rules::TimeOf(r.next_due()))
                            : -1;
  }

  template <typename Message>
  static absl::StatusOr<Message> Parse(const std::string& bytes) {
    Message m;
    if (!m.ParseFromString(bytes)) {
      return absl::DataLossError(absl::StrCat("compliance view: a ",
                                              Message::descriptor()->name(),
                                              " record does not parse"));
    }
    return m;
  }

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
  // A record and what of it changed since it was loaded.
  struct Held {
    std::unique_ptr<SystemRecord> record;
    bool dirty = false;
    // next_due as loaded (-1 unset), so a change of it alone is written.
    int64_t loaded_next_due = -1;
    std::set<std::pair<std::string, std::string>> monitoring;
  };

  RecordCache* cache_;
  RouteCache* routes_;
  TelemetryCache* telemetry_;
  std::map<std::string, std::optional<std::string>> writes_;
  std::map<std::string, Held> records_;
  // system -> monitoring key -> the version's monitoring, changed by
  // telemetry folded without the record (PutQuiet).
  std::map<std::string, std::map<std::string, VersionMonitoring>> quiet_;
  std::vector<uint64_t> folded_;
};

// Folds entries into a Store: the one definition of what each entry does
// to the view, used by Apply (from the journal) and, ahead of it, by
// Derive and DeriveAt.
class ComplianceView::Folder {
 public:
  explicit Folder(Store& store) : store_(store) {}

  // The system's record in the store, changed in place.
  absl::StatusOr<SystemRecord*> Load(const std::string& system_id) {
    return store_.Record(system_id);
  }

  // The system a model version belongs to, when known.
  absl::StatusOr<std::optional<std::string>> SystemOf(
      const std::string& model_id, const std::string& version) {
    return store_.Get(Key(kVersion, model_id, version));
  }

  // Folds `e` into the records of the systems it touches; returns them.
  absl::StatusOr<std::vector<std::string>> Fold(const JournalEntry& e,
                                                uint64_t sequence) {
    std::vector<std::string> touched;
    store_.folded().push_back(sequence);
    if (!rules::Folds(e)) return touched;
    const rules::Routes routes = rules::RoutesOf(e);
    std::set<std::string> systems(routes.systems.begin(), routes.systems.end());
    for (const auto& mv : routes.model_versions) {
      AIGOV_ASSIGN_OR_RETURN(
          const std::optional<std::string> s,
          store_.Get(Key(kVersion, mv.model_id(), mv.version())));
      if (s) systems.insert(*s);
    }
    for (const auto& [tag, id] : {std::pair('i', &routes.incident_id),
                                  std::pair('b', &routes.breach_id),
                                  std::pair('q', &routes.request_id)}) {
      if (id->empty()) continue;
      AIGOV_ASSIGN_OR_RETURN(
          const std::optional<std::string> s,
          store_.Get(Key(kIndex, std::string(1, tag) + *id)));
      if (s) systems.insert(*s);
    }
    aigov::internal::v1::Fact fact;
    fact.set_sequence(sequence);
    *fact.mutable_at() = e.recorded_at();
    if (e.has_dataset_version()) {
      const auto& d = e.dataset_version();
      const std::string key = Key(kDataset, d.dataset_id(), d.version());
      AIGOV_ASSIGN_OR_RETURN(std::optional<DatasetUsers> users,
                             store_.GetMessage<DatasetUsers>(key));
      if (!users) users.emplace();
      *users->mutable_record() = d;
      *users->mutable_fact() = fact;
      users->set_recorded(true);
      store_.Put(key, *users);
      for (const std::string& s : users->systems()) {
        AIGOV_ASSIGN_OR_RETURN(SystemRecord* const r, Load(s));
        rules::FoldDataset(d, fact, r);
        store_.Touch(s);
        touched.push_back(s);
      }
      return touched;
    }
    for (const std::string& s : systems) {
      AIGOV_ASSIGN_OR_RETURN(SystemRecord* const r, Load(s));
      const int drift_facts = r->drift_facts_size();
      rules::Fold(e, sequence, r);
      AIGOV_RETURN_IF_ERROR(Index(e, sequence, r));
      // Telemetry changes the version's monitoring alone, unless a drift
      // evaluation raised an alert.
      if (e.has_performance_sample()) {
        store_.TouchMonitoring(s, e.performance_sample().model_id(),
                               e.performance_sample().version());
      } else if (e.has_drift_evaluation()) {
        store_.TouchMonitoring(s, e.drift_evaluation().model_id(),
                               e.drift_evaluation().version());
        if (r->drift_facts_size() != drift_facts) store_.Touch(s);
      } else {
        store_.Touch(s);
      }
      touched.push_back(s);
    }
    return touched;
  }

 private:
  // The keys that route later entries to the system of `r`.
  absl::Status Index(const JournalEntry& e, uint64_t sequence,
                     SystemRecord* r) {
    const std::string& s = r->system_id();
    switch (e.event_case()) {
      case JournalEntry::kModelVersion: {
        const auto& mv = e.model_version();
        store_.PutRaw(Key(kVersion, mv.model_id(), mv.version()), s);
        std::vector<aigov::v1::DatasetRef> refs(mv.training_datasets().begin(),
                                                mv.training_datasets().end());
        refs.insert(refs.end(), mv.evaluation_datasets().begin(),
                    mv.evaluation_datasets().end());
        for (const auto& ref : refs) {
          const std::string key =
              Key(kDataset, ref.dataset_id(), ref.version());
          AIGOV_ASSIGN_OR_RETURN(std::optional<DatasetUsers> users,
                                 store_.GetMessage<DatasetUsers>(key));
          if (!users) users.emplace();
          if (std::find(users->systems().begin(), users->systems().end(), s) ==
              users->systems().end()) {
            users->add_systems(s);
            store_.Put(key, *users);
          }
          if (users->recorded()) {
            rules::FoldDataset(users->record(), users->fact(), r);
          }
        }
        break;
      }
      case JournalEntry::kIncident:
        store_.PutRaw(Key(kIndex, "i" + e.incident().incident_id()), s);
        break;
      case JournalEntry::kPersonalDataBreach:
        store_.PutRaw(Key(kIndex, "b" + e.personal_data_breach().breach_id()),
                      s);
        break;
      case JournalEntry::kDataSubjectRequest:
        store_.PutRaw(Key(kIndex, "q" + e.data_subject_request().request_id()),
                      s);
        break;
      case JournalEntry::kComplianceFinding:
        for (const auto& f : r->findings()) {
          if (f.sequence() == sequence) {
            store_.Put(HistoryKey(s, sequence), f);
            break;
          }
        }
        break;
      default:
        break;
    }
    return absl::OkStatus();
  }

  Store& store_;
};

ComplianceView::ComplianceView(const rules::Catalog& catalog,
                               const rules::Regime& regime,
                               rules::Settings settings)
    : catalog_(catalog), regime_(regime), settings_(std::move(settings)) {}

ComplianceView::~ComplianceView() = default;

std::string ComplianceView::FindingEventId(const std::string& system,
                                           const std::string& obligation,
                                           uint64_t source, bool tick) {
  const common::Sha256Digest h = common::Sha256(
      absl::StrCat(system, std::string(1, '\0'), obligation,
                   std::string(1, '\0'), tick ? "t" : "e", source));
  return absl::StrCat("aigovd:compliance:",
                      common::HexEncode(absl::string_view(
                          reinterpret_cast<const char*>(h.data()), 16)));
}

absl::Status ComplianceView::Attach(rocksdb::DB* db,
                                    rocksdb::ColumnFamilyHandle* family) {
  db_ = db;
  family_ = family;
  cache_.clear();
  routes_.clear();
  telemetry_.clear();
  group_ = std::make_unique<Store>(db, family, &cache_, &routes_, &telemetry_);
  // Every system's next due instant; one without is evaluated at the next
  // tick.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family_));
  const std::string prefix(1, kSystem);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    SystemRecord r;
    if (!r.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          "compliance view: a SystemRecord does not "
          "parse");
    }
    due_[r.system_id()] =
        r.has_next_due() ? rules::TimeOf(r.next_due()) : absl::InfinitePast();
  }
  return storage::FromRocksDb(it->status(), "scanning the compliance view");
}

void ComplianceView::GroupWritten() {
  if (flushed_ != nullptr) {
    flushed_->Release(&cache_, kMaxCachedRecords, &telemetry_);
  }
}

void ComplianceView::EndGroup() {
  if (group_) group_->Clear();
  rebuilt_.reset();
  flushed_ = nullptr;
}

absl::Status ComplianceView::Conclude(Folder* fold, SystemRecord* record,
                                      absl::Time at, uint64_t source, bool tick,
                                      uint64_t next_sequence,
                                      std::vector<JournalEntry>* derived) {
  if (!record->has_system()) {
    // Named, never registered: no profile to evaluate.
    due_[record->system_id()] = absl::InfiniteFuture();
    return absl::OkStatus();
  }
  AIGOV_ASSIGN_OR_RETURN(
      const rules::Evaluation ev,
      rules::Evaluate(*record, catalog_, regime_, settings_, at));
  std::map<std::string, const aigov::internal::v1::StoredFinding*> stored;
  for (const auto& f : record->findings()) stored[f.obligation_id()] = &f;
  // Copied: folding a finding below changes record->findings().
  struct Before {
    aigov::v1::FindingStatus status;
    int64_t deadline;
    std::string reason;
  };
  std::map<std::string, Before> before;
  for (const auto& [id, f] : stored) {
    before[id] = {f->status(), f->has_deadline() ? f->deadline().seconds() : -1,
                  f->reason()};
  }
  for (const rules::Finding& f : ev.findings) {
    const std::string& id = f.obligation->id;
    const int64_t deadline = f.deadline ? absl::ToUnixSeconds(*f.deadline) : -1;
    auto prev = before.find(id);
    aigov::v1::FindingStatus prev_status =
        prev == before.end() ? aigov::v1::FINDING_STATUS_UNSPECIFIED
                             : prev->second.status;
    // An obligation with no finding journalled for the system does not
    // apply to it yet (not applicable, or not yet applicable): only what
    // applies is journalled the first time.
    if (prev == before.end() &&
        (f.status == aigov::v1::FINDING_STATUS_NOT_APPLICABLE ||
         f.status == aigov::v1::FINDING_STATUS_NOT_YET_APPLICABLE)) {
      continue;
    }
    // A finding is journalled when its status, deadline or reason changes:
    // what the journal says of an obligation is what it says now.
    if (prev != before.end() && prev->second.status == f.status &&
        prev->second.deadline == deadline && prev->second.reason == f.reason) {
      continue;
    }
    JournalEntry& e = derived->emplace_back();
    e.set_event_id(FindingEventId(record->system_id(), id, source, tick));
    auto* c = e.mutable_compliance_finding();
    c->set_system_id(record->system_id());
    c->set_obligation_id(id);
    c->set_article(f.obligation->article);
    c->set_status(f.status);
    c->set_previous_status(prev_status);
    c->set_reason(f.reason);
    for (const std::string& x : f.to_fix) c->add_to_fix(x);
    if (f.deadline) *c->mutable_deadline() = rules::TimestampOf(*f.deadline);
    for (uint64_t s : f.evidence) c->add_evidence_sequences(s);
    c->set_regime(ev.regime->id);
    *c->mutable_evaluated_at() = rules::TimestampOf(at);
    c->set_risk_class(rules::RiskClassName(ev.classification.risk_class));
    if (tick) {
      for (uint64_t s : f.evidence) e.add_derived_from(s);
    }
    // Through the folder, as Apply will fold it: the record in the store
    // is `record`, and the history index is written.
    AIGOV_ASSIGN_OR_RETURN(const std::vector<std::string> t,
                           fold->Fold(e, next_sequence + derived->size() - 1));
    (void)t;
  }
  if (ev.next_due) {
    *record->mutable_next_due() = rules::TimestampOf(*ev.next_due);
    due_[record->system_id()] = *ev.next_due;
  } else {
    record->clear_next_due();
    due_[record->system_id()] = absl::InfiniteFuture();
  }
  return absl::OkStatus();
}

namespace {

// A model version's monitoring as it stood before a telemetry entry (a
// performance sample, a drift evaluation) was folded.
struct TelemetryBefore {
  std::string system;
  bool sampled = false;
  absl::Time last_sample;
  bool in_alert = false;
  int drift_facts = 0;
};

}  // namespace

absl::Status ComplianceView::Derive(const JournalEntry& entry,
                                    uint64_t sequence,
                                    std::vector<JournalEntry>* derived) {
  if (derived->empty() && entry.has_performance_sample()) {
    AIGOV_ASSIGN_OR_RETURN(const bool quiet, QuietSample(entry, sequence));
    if (quiet) return absl::OkStatus();
  }
  Folder fold(*group_);
  const absl::Time at = rules::TimeOf(entry.recorded_at());
  // Systems whose findings the entry may change. Telemetry is the bulk of
  // what aigovd receives and mostly cannot change one: a performance sample
  // or drift evaluation of a version that had a fresh sample before, with
  // no change of its alert state, leaves every status and deadline as it
  // was (metric_sample evidence existed and AIA-19's freshness held; only
  // the evidence cited moves). Such a system is evaluated only if something
  // is due (due_), as the tick would.
  std::set<std::string> changed;
  std::set<std::string> quiet;
  const auto fold_one = [&](const JournalEntry& e,
                            uint64_t seq) -> absl::Status {
    const std::string* model = nullptr;
    const std::string* version = nullptr;
    if (e.has_performance_sample()) {
      model = &e.performance_sample().model_id();
      version = &e.performance_sample().version();
    } else if (e.has_drift_evaluation()) {
      model = &e.drift_evaluation().model_id();
      version = &e.drift_evaluation().version();
    }
    std::optional<TelemetryBefore> before;
    if (model != nullptr) {
      AIGOV_ASSIGN_OR_RETURN(const std::optional<std::string> system,
                             fold.SystemOf(*model, *version));
      if (system) {
        AIGOV_ASSIGN_OR_RETURN(SystemRecord* const r, fold.Load(*system));
        before.emplace();
        before->system = *system;
        before->drift_facts = r->drift_facts_size();
        for (const auto& m : r->monitoring()) {
          if (m.model_id() == *model && m.version() == *version) {
            before->sampled = m.has_last_sample();
            before->last_sample = rules::TimeOf(m.last_sample().at());
            before->in_alert = m.in_alert();
          }
        }
      }
    }
    AIGOV_ASSIGN_OR_RETURN(const std::vector<std::string> t, fold.Fold(e, seq));
    for (const std::string& s : t) {
      bool q = false;
      if (before && before->system == s && before->sampled &&
          at - before->last_sample <= settings_.metric_freshness) {
        AIGOV_ASSIGN_OR_RETURN(SystemRecord* const r, fold.Load(s));
        q = r->drift_facts_size() == before->drift_facts;
        for (const auto& m : r->monitoring()) {
          if (m.model_id() == *model && m.version() == *version) {
            q = q && m.in_alert() == before->in_alert;
          }
        }
      }
      (q ? quiet : changed).insert(s);
    }
    return absl::OkStatus();
  };
  AIGOV_RETURN_IF_ERROR(fold_one(entry, sequence));
  // What the derivers before this one derived from the entry (a drift
  // evaluation, a breach) is sequenced right after it, and recorded with
  // it.
  const size_t earlier = derived->size();
  for (size_t k = 0; k < earlier; ++k) {
    JournalEntry e = (*derived)[k];
    *e.mutable_recorded_at() = entry.recorded_at();
    AIGOV_RETURN_IF_ERROR(fold_one(e, sequence + 1 + k));
  }
  for (const std::string& s : quiet) {
    auto due = due_.find(s);
    if (due == due_.end() || due->second <= at) changed.insert(s);
  }
  for (const std::string& s : changed) {
    AIGOV_ASSIGN_OR_RETURN(SystemRecord* const r, fold.Load(s));
    AIGOV_RETURN_IF_ERROR(Conclude(&fold, r, at, sequence, /*tick=*/false,
                                   sequence + 1, derived));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ComplianceView::QuietSample(const JournalEntry& entry,
                                                 uint64_t sequence) {
  const auto& s = entry.performance_sample();
  AIGOV_ASSIGN_OR_RETURN(const std::optional<std::string> system,
                         group_->Get(Key(kVersion, s.model_id(), s.version())));
  if (!system || group_->Holds(*system)) return false;
  const absl::Time at = rules::TimeOf(entry.recorded_at());
  if (auto due = due_.find(*system); due == due_.end() || due->second <= at) {
    return false;
  }
  AIGOV_ASSIGN_OR_RETURN(
      std::optional<VersionMonitoring> m,
      group_->Monitoring(*system, s.model_id(), s.version()));
  if (!m || !m->has_last_sample() ||
      at - rules::TimeOf(m->last_sample().at()) > settings_.metric_freshness) {
    return false;
  }
  rules::FoldSample(entry, sequence, &*m);
  group_->PutQuiet(*system, *std::move(m));
  group_->folded().push_back(sequence);
  return true;
}

absl::Status ComplianceView::DeriveAt(absl::Time now, uint64_t next_sequence,
                                      std::vector<JournalEntry>* derived) {
  Folder fold(*group_);
  std::set<std::string> touched;
  const size_t earlier = derived->size();
  for (size_t k = 0; k < earlier; ++k) {
    JournalEntry e = (*derived)[k];
    *e.mutable_recorded_at() = rules::TimestampOf(now);
    AIGOV_ASSIGN_OR_RETURN(const std::vector<std::string> t,
                           fold.Fold(e, next_sequence + k));
    touched.insert(t.begin(), t.end());
  }
  for (const auto& [s, due] : due_) {
    if (due <= now) touched.insert(s);
  }
  const uint64_t tick = static_cast<uint64_t>(absl::ToUnixNanos(now));
  for (const std::string& s : touched) {
    AIGOV_ASSIGN_OR_RETURN(SystemRecord* const r, fold.Load(s));
    AIGOV_RETURN_IF_ERROR(
        Conclude(&fold, r, now, tick, /*tick=*/true, next_sequence, derived));
  }
  return absl::OkStatus();
}

absl::Status ComplianceView::Apply(
    absl::Span<const journal::SequencedEntry> entries,
    rocksdb::ColumnFamilyHandle* family, rocksdb::WriteBatch* batch) {
  // The group's Derive and DeriveAt calls folded exactly these entries, in
  // this order, into the group's store (the usual case): what they folded
  // is what the fold below would compute, so it is written as it stands.
  // Otherwise (a rebuild, or a derived entry refused after its fold) the
  // entries are folded again from the committed state.
  bool derived_all =
      group_ != nullptr && group_->folded().size() == entries.size();
  for (size_t i = 0; derived_all && i < entries.size(); ++i) {
    derived_all = group_->folded()[i] == entries[i].entry->sequence();
  }
  if (!derived_all) {
    // Read from the family alone: during RebuildViews the family was
    // emptied and the cache holds what it held before.
    cache_.clear();
    routes_.clear();
    telemetry_.clear();
    rebuilt_ = std::make_unique<Store>(db_, family);
  }
  Store& store = derived_all ? *group_ : *rebuilt_;
  if (!derived_all) {
    Folder fold(store);
    for (const journal::SequencedEntry& e : entries) {
      AIGOV_ASSIGN_OR_RETURN(const std::vector<std::string> t,
                             fold.Fold(*e.entry, e.entry->sequence()));
      (void)t;
    }
  }
  for (const std::string& s : store.systems()) {
    AIGOV_ASSIGN_OR_RETURN(SystemRecord* const r, store.Record(s));
    auto it = due_.find(s);
    if (it == due_.end()) {
      // Not evaluated since this process started (a rebuild): at the next
      // tick.
      due_[s] = absl::InfinitePast();
      r->clear_next_due();
    } else if (it->second == absl::InfiniteFuture() ||
               it->second == absl::InfinitePast()) {
      r->clear_next_due();
    } else {
      *r->mutable_next_due() = rules::TimestampOf(it->second);
    }
  }
  store.Flush(family, batch);
  flushed_ = &store;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<SystemRecord>> ComplianceView::Record(
    const std::string& system_id) const {
  Store committed(db_, family_);
  return committed.LoadCommitted(system_id);
}

absl::StatusOr<std::vector<aigov::internal::v1::StoredFinding>>
ComplianceView::FindingsAt(const std::string& system_id, absl::Time at) const {
  std::map<std::string, aigov::internal::v1::StoredFinding> last;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family_));
  const std::string prefix = Key(kHistory, system_id, "");
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    aigov::internal::v1::StoredFinding f;
    if (!f.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          "compliance view: a StoredFinding does not parse");
    }
    if (rules::TimeOf(f.evaluated_at()) > at) continue;
    last[f.obligation_id()] = std::move(f);
  }
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(it->status(), "reading the compliance history"));
  std::vector<aigov::internal::v1::StoredFinding> out;
  out.reserve(last.size());
  for (auto& [id, f] : last) out.push_back(std::move(f));
  return out;
}

absl::StatusOr<std::vector<std::string>> ComplianceView::Systems(
    const std::string& start, size_t limit) const {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family_));
  const std::string prefix(1, kSystem);
  const std::string from = start.empty() ? prefix : Key(kSystem, start);
  for (it->Seek(from);
       it->Valid() && it->key().starts_with(prefix) && out.size() < limit;
       it->Next()) {
    std::string id = it->key().ToString().substr(1);
    if (!start.empty() && id == start) continue;
    out.push_back(std::move(id));
  }
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(it->status(), "listing the compliance view"));
  return out;
}

}  // namespace aigov::compliance
