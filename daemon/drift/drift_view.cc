#include "daemon/drift/drift_view.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "rocksdb/iterator.h"

#include "daemon/common/sha256.h"
#include "daemon/common/status_macros.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/monitoring/drift_stats.h"
#include "daemon/storage/rocksdb_status.h"

namespace aigov::drift {
namespace {

using aigov::internal::v1::BreachStreak;
using aigov::internal::v1::LastEvaluation;
using aigov::internal::v1::ModelDrift;
using aigov::internal::v1::OpenWindow;
using aigov::internal::v1::StoredReference;
using aigov::v1::JournalEntry;
using monitoring::DriftLevel;

constexpr char kReference = 'r';
constexpr char kModel = 'm';
constexpr char kLast = 'l';
constexpr char kWindow = 'w';
constexpr char kEvaluation = 'e';

std::string ModelKey(char tag, const std::string& model_id,
                     const std::string& version) {
  std::string key(1, tag);
  absl::StrAppend(&key, model_id, absl::string_view("\0", 1), version);
  return key;
}

std::string EncodeStart(int64_t start) {
  uint64_t u = static_cast<uint64_t>(start) ^ (uint64_t{1} << 63);
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  return out;
}

int64_t DecodeStart(absl::string_view bytes) {
  uint64_t u = 0;
  for (const char c : bytes) u = (u << 8) | static_cast<unsigned char>(c);
  return static_cast<int64_t>(u ^ (uint64_t{1} << 63));
}

std::string WindowKey(char tag, const std::string& model_id,
                      const std::string& version, int64_t start) {
  std::string key = ModelKey(tag, model_id, version);
  key.push_back('\0');
  key += EncodeStart(start);
  return key;
}

// The first key past every key starting with `prefix` (the prefix with its
// last byte below 0xff incremented and the rest dropped); empty when there
// is none (all 0xff).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) {
    prefix.pop_back();
  }
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

google::protobuf::Timestamp ToTimestamp(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

int64_t Seconds(absl::Duration d) { return absl::ToInt64Seconds(d); }

DriftLevel FromProto(aigov::v1::DriftState s) {
  switch (s) {
    case aigov::v1::DRIFT_STATE_OK:
      return DriftLevel::kOk;
    case aigov::v1::DRIFT_STATE_WARN:
      return DriftLevel::kWarn;
    case aigov::v1::DRIFT_STATE_ALERT:
      return DriftLevel::kAlert;
    default:
      return DriftLevel::kInsufficientData;
  }
}

size_t BinsOf(const aigov::v1::ReferenceFeature& f) {
  return f.has_numeric() ? static_cast<size_t>(f.numeric().counts_size())
                         : static_cast<size_t>(f.categorical().counts_size());
}

const google::protobuf::RepeatedField<uint64_t>& CountsOf(
    const aigov::v1::ReferenceFeature& f) {
  return f.has_numeric() ? f.numeric().counts() : f.categorical().counts();
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

std::string ShortHash(absl::string_view text) {
  const common::Sha256Digest d = common::Sha256(text);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(d.data()), 16));
}

absl::Status Invalid(absl::string_view path, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", reason));
}

}  // namespace

monitoring::DriftThresholds WithOverrides(
    monitoring::DriftThresholds base, const aigov::v1::DriftThresholds& over) {
  if (over.has_psi_warn()) base.psi_warn = over.psi_warn();
  if (over.has_psi_alert()) base.psi_alert = over.psi_alert();
  if (over.has_p_value()) base.p_value = over.p_value();
  if (over.has_min_samples()) base.min_samples = over.min_samples();
  if (over.has_alert_min_samples()) {
    base.alert_min_samples = over.alert_min_samples();
  }
  if (over.has_alert_windows()) base.alert_windows = over.alert_windows();
  if (over.has_clear_windows()) base.clear_windows = over.clear_windows();
  if (over.has_clear_factor()) base.clear_factor = over.clear_factor();
  if (over.has_dataset_alert_share()) {
    base.dataset_alert_share = over.dataset_alert_share();
  }
  return base;
}

absl::Status CheckResolved(const monitoring::DriftThresholds& t,
                           absl::string_view path) {
  if (t.psi_alert < t.psi_warn) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ".psi_alert: resolves to ", t.psi_alert, ", below psi_warn (",
        t.psi_warn,
        "); set both here, or keep them ordered with the levels above "
        "(monitoring.thresholds, then the profile, then the feature)"));
  }
  if (t.alert_min_samples < t.min_samples) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ".alert_min_samples: resolves to ", t.alert_min_samples,
        ", below min_samples (", t.min_samples,
        "); set both here, or keep them ordered with the levels above "
        "(monitoring.thresholds, then the profile, then the feature)"));
  }
  return absl::OkStatus();
}

absl::Duration WindowOf(const aigov::v1::ReferenceProfile& profile) {
  if (!profile.has_window() || profile.window().seconds() <= 0) {
    return absl::Hours(1);
  }
  return absl::Seconds(profile.window().seconds());
}

std::string EvaluationEventId(const std::string& model_id,
                              const std::string& version,
                              int64_t window_start) {
  return absl::StrCat(
      "aigovd:drift:",
      ShortHash(WindowKey(kWindow, model_id, version, window_start)));
}

aigov::v1::DriftState ToProto(DriftLevel level) {
  switch (level) {
    case DriftLevel::kOk:
      return aigov::v1::DRIFT_STATE_OK;
    case DriftLevel::kWarn:
      return aigov::v1::DRIFT_STATE_WARN;
    case DriftLevel::kAlert:
      return aigov::v1::DRIFT_STATE_ALERT;
    case DriftLevel::kInsufficientData:
      break;
  }
  return aigov::v1::DRIFT_STATE_INSUFFICIENT_DATA;
}

// The view's keys as some writes will leave them: committed state read
// through RocksDB, under the writes made so far.
class DriftView::Store {
 public:
  Store(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family)
      : db_(db), family_(family) {}

  absl::StatusOr<std::optional<std::string>> Get(const std::string& key) const {
    if (auto it = writes_.find(key); it != writes_.end()) return it->second;
    std::string value;
    const rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), family_, key, &value);
    if (s.IsNotFound()) return std::nullopt;
    AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "reading the drift view"));
    return value;
  }

  template <typename Message>
  absl::StatusOr<std::optional<Message>> GetMessage(
      const std::string& key) const {
    AIGOV_ASSIGN_OR_RETURN(const std::optional<std::string> bytes, Get(key));
    if (!bytes) return std::nullopt;
    Message m;
    if (!m.ParseFromString(*bytes)) {
      return absl::DataLossError(absl::StrCat("drift view: a ",
                                              Message::descriptor()->name(),
                                              " record does not parse"));
    }
    return m;
  }

  void Put(const std::string& key, const google::protobuf::Message& m) {
    writes_[key] = journal::SerializeDeterministic(m);
  }
  void PutRaw(const std::string& key, std::string value) {
    writes_[key] = std::move(value);
  }
  void Delete(const std::string& key) { writes_[key] = std::nullopt; }

  // The keys starting with `prefix`, in order, from `from` on when it is
  // past `prefix`. A scan from where live keys begin skips the deletion
  // markers of closed windows, which RocksDB keeps until compaction and an
  // iterator would otherwise step over one by one.
  absl::StatusOr<std::vector<std::string>> Keys(
      const std::string& prefix, const std::string& from = {}) const {
    const std::string& seek = std::max(prefix, from);
    std::set<std::string> keys;
    // Bounded at the prefix's end, so the scan does not step over the next
    // prefix's deletion markers looking for a live key past its own.
    const std::string end = PrefixEnd(prefix);
    const rocksdb::Slice end_slice(end);
    rocksdb::ReadOptions options;
    if (!end.empty()) options.iterate_upper_bound = &end_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family_));
    for (it->Seek(seek); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      keys.insert(it->key().ToString());
    }
    AIGOV_RETURN_IF_ERROR(
        storage::FromRocksDb(it->status(), "scanning the drift view"));
    for (auto w = writes_.lower_bound(seek);
         w != writes_.end() && absl::StartsWith(w->first, prefix); ++w) {
      if (w->second) {
        keys.insert(w->first);
      } else {
        keys.erase(w->first);
      }
    }
    return std::vector<std::string>(keys.begin(), keys.end());
  }

  // The keys of a model version's open windows, oldest first. Open windows
  // start at or after the watermark (a report before it is late and opens
  // none), so the scan starts there.
  absl::StatusOr<std::vector<std::string>> OpenWindowKeys(
      const std::string& model_id, const std::string& version) const {
    std::string prefix = ModelKey(kWindow, model_id, version);
    prefix.push_back('\0');
    AIGOV_ASSIGN_OR_RETURN(
        const std::optional<ModelDrift> state,
        GetMessage<ModelDrift>(ModelKey(kModel, model_id, version)));
    return Keys(prefix, state && state->evaluated()
                            ? prefix + EncodeStart(state->watermark())
                            : std::string());
  }

  const std::map<std::string, std::optional<std::string>>& writes() const {
    return writes_;
  }
  void Clear() { writes_.clear(); }

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
  std::map<std::string, std::optional<std::string>> writes_;
};

// Folds entries into a Store: the one definition of what each entry does
// to the view, used by Apply (from the journal) and, ahead of it, by the
// group's checks and derivations.
class DriftView::Folder {
 public:
  Folder(Store& store, const DriftOptions& options,
         const registry::RegistryProjection& registry)
      : store_(store), options_(options), registry_(registry) {}

  absl::Status Reference(const aigov::v1::ReferenceProfile& p,
                         uint64_t sequence) {
    StoredReference r;
    *r.mutable_profile() = p;
    r.set_sequence(sequence);
    store_.Put(ModelKey(kReference, p.model_id(), p.version()), r);
    return absl::OkStatus();
  }

  // Merges a report into its window, or counts it as late. `sequence` is
  // the report's (0 while unknown).
  absl::Status Window(const aigov::v1::WindowProfile& w, uint64_t sequence,
                      bool* late) {
    *late = false;
    AIGOV_ASSIGN_OR_RETURN(const std::optional<StoredReference> ref,
                           store_.GetMessage<StoredReference>(ModelKey(
                               kReference, w.model_id(), w.version())));
    if (!ref) return absl::OkStatus();  // its reference was pruned
    const std::string model_key = ModelKey(kModel, w.model_id(), w.version());
    AIGOV_ASSIGN_OR_RETURN(std::optional<ModelDrift> state,
                           store_.GetMessage<ModelDrift>(model_key));
    const int64_t start = w.window_start().seconds();
    if (state && state->evaluated() && start < state->watermark()) {
      *late = true;
      state->set_late_reports(state->late_reports() + 1);
      store_.Put(model_key, *state);
      return absl::OkStatus();
    }
    const std::string key =
        WindowKey(kWindow, w.model_id(), w.version(), start);
    AIGOV_ASSIGN_OR_RETURN(std::optional<OpenWindow> open,
                           store_.GetMessage<OpenWindow>(key));
    const aigov::v1::ReferenceProfile& profile = ref->profile();
    if (!open) {
      open.emplace();
      for (const aigov::v1::ReferenceFeature& f : profile.features()) {
        aigov::v1::WindowFeature* wf = open->add_features();
        wf->set_name(f.name());
        wf->mutable_counts()->Resize(static_cast<int>(BinsOf(f)), 0);
      }
    }
    absl::flat_hash_map<absl::string_view, int> index;
    for (int i = 0; i < open->features_size(); ++i) {
      index[open->features(i).name()] = i;
    }
    for (const aigov::v1::WindowFeature& f : w.features()) {
      const auto it = index.find(f.name());
      if (it == index.end()) continue;  // checked before admission
      aigov::v1::WindowFeature* into = open->mutable_features(it->second);
      if (into->counts_size() != f.counts_size()) continue;
      for (int b = 0; b < f.counts_size(); ++b) {
        into->set_counts(b, SaturatingAdd(into->counts(b), f.counts(b)));
      }
      into->set_null_count(SaturatingAdd(into->null_count(), f.null_count()));
    }
    if (sequence != 0) open->add_report_sequences(sequence);
    store_.Put(key, *open);
    return absl::OkStatus();
  }

  absl::Status Evaluation(const aigov::v1::DriftEvaluation& e,
                          uint64_t sequence) {
    const int64_t start = e.window_start().seconds();
    const std::string model_key = ModelKey(kModel, e.model_id(), e.version());
    AIGOV_ASSIGN_OR_RETURN(std::optional<ModelDrift> state,
                           store_.GetMessage<ModelDrift>(model_key));
    if (!state) state.emplace();
    state->set_watermark(state->evaluated() ? std::max(state->watermark(),
                                                       e.window_end().seconds())
                                            : e.window_end().seconds());
    state->set_evaluated(true);
    store_.Put(model_key, *state);
    LastEvaluation last;
    *last.mutable_evaluation() = e;
    last.set_sequence(sequence);
    store_.Put(ModelKey(kLast, e.model_id(), e.version()), last);
    store_.Delete(WindowKey(kWindow, e.model_id(), e.version(), start));
    store_.PutRaw(WindowKey(kEvaluation, e.model_id(), e.version(), start),
                  journal::EncodeSequence(sequence));
    return absl::OkStatus();
  }

  // Advances the run of breaching windows of the sample's metric; sets
  // `breach` when the run reaches breach_windows for the first time.
  absl::Status Sample(const aigov::v1::PerformanceSample& s, uint64_t sequence,
                      std::optional<aigov::v1::JournalEntry>* breach) {
    AIGOV_ASSIGN_OR_RETURN(const std::optional<aigov::v1::ModelVersion> mv,
                           registry_.ModelVersionOf(s.model_id(), s.version()));
    if (!mv) return absl::OkStatus();
    const aigov::v1::DeclaredMetric* declared = nullptr;
    for (const aigov::v1::DeclaredMetric& d : mv->declared_metrics()) {
      if (d.name() == s.metric() && d.slice() == s.slice()) declared = &d;
    }
    if (declared == nullptr) return absl::OkStatus();
    const bool breached =
        declared->direction() == aigov::v1::METRIC_DIRECTION_LOWER_IS_BETTER
            ? s.value() > declared->threshold()
            : s.value() < declared->threshold();
    AIGOV_ASSIGN_OR_RETURN(const std::optional<StoredReference> ref,
                           store_.GetMessage<StoredReference>(ModelKey(
                               kReference, s.model_id(), s.version())));
    const int64_t length =
        Seconds(ref ? WindowOf(ref->profile()) : absl::Hours(1));

    const std::string model_key = ModelKey(kModel, s.model_id(), s.version());
    AIGOV_ASSIGN_OR_RETURN(std::optional<ModelDrift> state,
                           store_.GetMessage<ModelDrift>(model_key));
    if (!state) state.emplace();
    BreachStreak* run = nullptr;
    for (BreachStreak& r : *state->mutable_streaks()) {
      if (r.metric() == s.metric() && r.slice() == s.slice()) run = &r;
    }
    if (run == nullptr) {
      run = state->add_streaks();
      run->set_metric(s.metric());
      run->set_slice(s.slice());
    }
    const int64_t start = s.window_start().seconds();
    if (run->windows() > 0 && start < run->last_window_start()) {
      return absl::OkStatus();  // out of order: does not move the run
    }
    if (!breached) {
      run->set_windows(0);
      run->set_reported(false);
      run->clear_sample_sequences();
    } else if (run->windows() > 0 && start == run->last_window_start()) {
      run->add_sample_sequences(sequence);
    } else if (run->windows() > 0 &&
               start == run->last_window_start() + length) {
      run->set_windows(run->windows() + 1);
      run->set_last_window_start(start);
      run->add_sample_sequences(sequence);
    } else {
      run->set_windows(1);
      run->set_first_window_start(start);
      run->set_last_window_start(start);
      run->set_reported(false);
      run->clear_sample_sequences();
      run->add_sample_sequences(sequence);
    }
    if (breached && run->windows() >= options_.breach_windows &&
        !run->reported()) {
      run->set_reported(true);
      JournalEntry& e = breach->emplace();
      e.set_event_id(absl::StrCat(
          "aigovd:breach:",
          ShortHash(absl::StrCat(model_key, absl::string_view("\0", 1),
                                 s.metric(), absl::string_view("\0", 1),
                                 s.slice(), absl::string_view("\0", 1),
                                 run->first_window_start()))));
      aigov::v1::PerformanceBreach* b = e.mutable_performance_breach();
      b->set_model_id(s.model_id());
      b->set_version(s.version());
      b->set_metric(s.metric());
      b->set_slice(s.slice());
      b->set_threshold(declared->threshold());
      b->set_value(s.value());
      *b->mutable_first_window_start() = ToTimestamp(run->first_window_start());
      *b->mutable_last_window_start() = ToTimestamp(run->last_window_start());
      b->set_windows(run->windows());
      // The journal adds this sample, the source, after them.
      for (const uint64_t seq : run->sample_sequences()) {
        if (seq != sequence) e.add_derived_from(seq);
      }
    }
    store_.Put(model_key, *state);
    return absl::OkStatus();
  }

  // Evaluates the open window of `model_id`@`version` at `start`, folds the
  // evaluation in and returns its entry.
  absl::StatusOr<JournalEntry> Evaluate(const std::string& model_id,
                                        const std::string& version,
                                        int64_t start,
                                        aigov::v1::WindowClosure closure) {
    AIGOV_ASSIGN_OR_RETURN(const std::optional<StoredReference> ref,
                           store_.GetMessage<StoredReference>(
                               ModelKey(kReference, model_id, version)));
    AIGOV_ASSIGN_OR_RETURN(const std::optional<OpenWindow> open,
                           store_.GetMessage<OpenWindow>(
                               WindowKey(kWindow, model_id, version, start)));
    if (!ref || !open) {
      return absl::InternalError(
          absl::StrCat("drift view: window ", start, " of ", model_id, "@",
                       version, " has no reference or no counts"));
    }
    AIGOV_ASSIGN_OR_RETURN(
        const std::optional<LastEvaluation> last,
        store_.GetMessage<LastEvaluation>(ModelKey(kLast, model_id, version)));
    absl::flat_hash_map<absl::string_view, const aigov::v1::FeatureEvaluation*>
        before;
    if (last) {
      for (const auto& f : last->evaluation().features()) {
        before[f.feature()] = &f;
      }
    }
    const aigov::v1::ReferenceProfile& profile = ref->profile();
    const monitoring::DriftThresholds model_t =
        WithOverrides(options_.defaults, profile.thresholds());

    JournalEntry entry;
    entry.set_event_id(EvaluationEventId(model_id, version, start));
    aigov::v1::DriftEvaluation* ev = entry.mutable_drift_evaluation();
    ev->set_model_id(model_id);
    ev->set_version(version);
    *ev->mutable_window_start() = ToTimestamp(start);
    *ev->mutable_window_end() = ToTimestamp(start + Seconds(WindowOf(profile)));
    ev->set_closure(closure);
    // Every scored feature at once (vector lanes), then each stepped.
    std::vector<int> scored;
    std::vector<monitoring::FeatureCounts> counts;
    for (int i = 0; i < profile.features_size(); ++i) {
      const aigov::v1::ReferenceFeature& f = profile.features(i);
      if (f.excluded()) continue;
      const aigov::v1::WindowFeature& w = open->features(i);
      monitoring::FeatureCounts& c = counts.emplace_back();
      scored.push_back(i);
      c.type = f.has_numeric() ? monitoring::FeatureType::kNumeric
                               : monitoring::FeatureType::kCategorical;
      if (f.has_numeric()) {
        c.edges = absl::MakeConstSpan(
            f.numeric().edges().data(),
            static_cast<size_t>(f.numeric().edges().size()));
        c.reference_std = f.numeric().std();
      }
      c.reference = absl::MakeConstSpan(
          CountsOf(f).data(), static_cast<size_t>(CountsOf(f).size()));
      c.window = absl::MakeConstSpan(w.counts().data(),
                                     static_cast<size_t>(w.counts().size()));
      c.reference_nulls = f.null_count();
      c.window_nulls = w.null_count();
    }
    const std::vector<monitoring::DriftScores> scores =
        monitoring::ScoreAll(counts);
    std::vector<monitoring::FeatureStanding> standings;
    for (size_t k = 0; k < scored.size(); ++k) {
      const aigov::v1::ReferenceFeature& f = profile.features(scored[k]);
      const monitoring::DriftScores& s = scores[k];

      aigov::v1::FeatureEvaluation* fe = ev->add_features();
      fe->set_feature(f.name());
      fe->set_n(s.n);
      fe->set_reference_n(s.m);
      fe->set_critical(f.critical());
      const auto put = [](double v, auto setter) {
        if (!std::isnan(v)) setter(v);
      };
      put(s.psi, [&](double v) { fe->set_psi(v); });
      put(s.psi_p_value, [&](double v) { fe->set_psi_p_value(v); });
      put(s.js_distance, [&](double v) { fe->set_js_distance(v); });
      put(s.hellinger, [&](double v) { fe->set_hellinger(v); });
      put(s.ks, [&](double v) { fe->set_ks(v); });
      put(s.null_rate, [&](double v) { fe->set_null_rate(v); });
      if (f.has_numeric()) {
        put(s.wasserstein, [&](double v) { fe->set_wasserstein(v); });
        put(s.out_of_range_share,
            [&](double v) { fe->set_out_of_range_share(v); });
      } else {
        put(s.chi2, [&](double v) { fe->set_chi2(v); });
        put(s.chi2_p_value, [&](double v) { fe->set_chi2_p_value(v); });
        put(s.unseen_share, [&](double v) { fe->set_unseen_share(v); });
      }

      monitoring::FeatureDrift prior;
      if (auto it = before.find(f.name()); it != before.end()) {
        prior.level = FromProto(it->second->state());
        prior.since = it->second->since().seconds();
        prior.alert_streak = it->second->alert_streak();
        prior.clear_streak = it->second->clear_streak();
      }
      const monitoring::FeatureDrift after =
          monitoring::Step(prior, WithOverrides(model_t, f.thresholds()), s.n,
                           s.psi, s.psi_p_value, start);
      fe->set_previous_state(ToProto(prior.level));
      fe->set_state(ToProto(after.level));
      if (after.level != DriftLevel::kInsufficientData) {
        *fe->mutable_since() = ToTimestamp(after.since);
      }
      fe->set_alert_streak(after.alert_streak);
      fe->set_clear_streak(after.clear_streak);
      standings.push_back({after.level, f.critical()});
      ev->set_features_in_alert(ev->features_in_alert() +
                                (after.level == DriftLevel::kAlert));
      ev->set_features_with_state(
          ev->features_with_state() +
          (after.level != DriftLevel::kInsufficientData));
    }
    const DriftLevel dataset =
        monitoring::DatasetLevel(standings, model_t.dataset_alert_share);
    const aigov::v1::DriftState previous =
        last ? last->evaluation().dataset_state()
             : aigov::v1::DRIFT_STATE_INSUFFICIENT_DATA;
    ev->set_previous_dataset_state(previous);
    ev->set_dataset_state(ToProto(dataset));
    if (ToProto(dataset) != previous || !last) {
      *ev->mutable_dataset_since() = ToTimestamp(start);
    } else {
      *ev->mutable_dataset_since() = last->evaluation().dataset_since();
    }
    ev->set_reports(static_cast<uint32_t>(open->report_sequences_size()));
    entry.add_derived_from(ref->sequence());
    for (const uint64_t seq : open->report_sequences()) {
      entry.add_derived_from(seq);
    }
    AIGOV_RETURN_IF_ERROR(Evaluation(*ev, 0));
    return entry;
  }

  // Closes, in order, the open windows of `model_id`@`version` whose end
  // plus the allowed lateness is at or before `limit` (unix seconds).
  absl::Status CloseUpTo(const std::string& model_id,
                         const std::string& version, int64_t limit,
                         aigov::v1::WindowClosure closure,
                         std::vector<JournalEntry>* derived) {
    // Open windows first: the tick visits every model version, most with
    // none open, and the reference (every feature's bins) is the large read.
    AIGOV_ASSIGN_OR_RETURN(const std::vector<std::string> keys,
                           store_.OpenWindowKeys(model_id, version));
    if (keys.empty()) return absl::OkStatus();
    AIGOV_ASSIGN_OR_RETURN(const std::optional<StoredReference> ref,
                           store_.GetMessage<StoredReference>(
                               ModelKey(kReference, model_id, version)));
    if (!ref) return absl::OkStatus();
    const int64_t reach =
        Seconds(WindowOf(ref->profile())) + Seconds(options_.allowed_lateness);
    for (const std::string& key : keys) {
      const int64_t start =
          DecodeStart(absl::string_view(key).substr(key.size() - 8));
      if (start > limit - reach) break;
      AIGOV_ASSIGN_OR_RETURN(JournalEntry e,
                             Evaluate(model_id, version, start, closure));
      derived->push_back(std::move(e));
    }
    return absl::OkStatus();
  }

 private:
  Store& store_;
  const DriftOptions& options_;
  const registry::RegistryProjection& registry_;
};

DriftView::DriftView(const registry::RegistryProjection& registry,
                     DriftOptions options)
    : registry_(registry), options_(std::move(options)) {}

DriftView::~DriftView() = default;

absl::Status DriftView::Attach(rocksdb::DB* db,
                               rocksdb::ColumnFamilyHandle* family) {
  db_ = db;
  family_ = family;
  group_ = std::make_unique<Store>(db, family);
  return absl::OkStatus();
}

absl::Status DriftView::Check(const JournalEntry& entry) {
  const auto registered = [&](const std::string& path,
                              const std::string& model_id,
                              const std::string& version) -> absl::Status {
    AIGOV_ASSIGN_OR_RETURN(const auto mv,
                           registry_.ModelVersionOf(model_id, version));
    if (!mv) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, ": model version ", model_id, "@", version,
          " is not registered; register it first (RegisterModelVersion)"));
    }
    return absl::OkStatus();
  };
  switch (entry.event_case()) {
    case JournalEntry::kReferenceProfile: {
      const auto& p = entry.reference_profile();
      AIGOV_RETURN_IF_ERROR(
          registered("reference_profile", p.model_id(), p.version()));
      const monitoring::DriftThresholds model_t =
          WithOverrides(options_.defaults, p.thresholds());
      AIGOV_RETURN_IF_ERROR(
          CheckResolved(model_t, "reference_profile.thresholds"));
      for (const aigov::v1::ReferenceFeature& f : p.features()) {
        AIGOV_RETURN_IF_ERROR(
            CheckResolved(WithOverrides(model_t, f.thresholds()),
                          absl::StrCat("reference_profile.features[\"",
                                       f.name(), "\"].thresholds")));
      }
      return absl::OkStatus();
    }
    case JournalEntry::kPerformanceSample: {
      const auto& s = entry.performance_sample();
      return registered("performance_sample", s.model_id(), s.version());
    }
    case JournalEntry::kDriftScore: {
      const auto& s = entry.drift_score();
      return registered("drift_score", s.model_id(), s.version());
    }
    case JournalEntry::kWindowProfile:
      break;
    default:
      return absl::OkStatus();
  }
  const aigov::v1::WindowProfile& w = entry.window_profile();
  AIGOV_RETURN_IF_ERROR(
      registered("window_profile", w.model_id(), w.version()));
  AIGOV_ASSIGN_OR_RETURN(const std::optional<StoredReference> ref,
                         group_->GetMessage<StoredReference>(
                             ModelKey(kReference, w.model_id(), w.version())));
  if (!ref) {
    return absl::FailedPreconditionError(absl::StrCat(
        "window_profile: ", w.model_id(), "@", w.version(),
        " has no reference profile; put one first (PutReferenceProfile)"));
  }
  const aigov::v1::ReferenceProfile& profile = ref->profile();
  const int64_t length = Seconds(WindowOf(profile));
  const int64_t start = w.window_start().seconds();
  if (w.window_start().nanos() != 0 || ((start % length) + length) % length) {
    const int64_t aligned = start - (((start % length) + length) % length);
    return Invalid(
        "window_profile.window_start",
        absl::StrCat(
            "not aligned to the reference's window (",
            absl::FormatDuration(WindowOf(profile)),
            "): windows start at multiples of it since the Unix epoch; this "
            "one would start at ",
            google::protobuf::util::TimeUtil::ToString(ToTimestamp(aligned))));
  }
  absl::flat_hash_map<absl::string_view, const aigov::v1::ReferenceFeature*>
      features;
  for (const auto& f : profile.features()) features[f.name()] = &f;
  for (const aigov::v1::WindowFeature& f : w.features()) {
    const std::string path =
        absl::StrCat("window_profile.features[\"", f.name(), "\"]");
    const auto it = features.find(f.name());
    if (it == features.end()) {
      return Invalid(absl::StrCat(path, ".name"),
                     absl::StrCat("not a feature of the reference profile of ",
                                  w.model_id(), "@", w.version()));
    }
    const size_t bins = BinsOf(*it->second);
    if (static_cast<size_t>(f.counts_size()) != bins) {
      return Invalid(
          absl::StrCat(path, ".counts"),
          absl::StrCat("expected ", bins, " counts (the reference's bins",
                       it->second->has_categorical()
                           ? ": its categories, then other and unseen"
                           : "",
                       "), got ", f.counts_size()));
    }
  }
  return absl::OkStatus();
}

void DriftView::EndGroup() {
  if (group_) group_->Clear();
}

absl::Status DriftView::Derive(const JournalEntry& entry, uint64_t sequence,
                               std::vector<JournalEntry>* derived) {
  Folder fold(*group_, options_, registry_);
  switch (entry.event_case()) {
    case JournalEntry::kReferenceProfile:
      return fold.Reference(entry.reference_profile(), sequence);
    case JournalEntry::kWindowProfile: {
      const aigov::v1::WindowProfile& w = entry.window_profile();
      bool late = false;
      AIGOV_RETURN_IF_ERROR(fold.Window(w, sequence, &late));
      if (late) return absl::OkStatus();
      return fold.CloseUpTo(w.model_id(), w.version(),
                            w.window_start().seconds(),
                            aigov::v1::WINDOW_CLOSURE_LATER_WINDOW, derived);
    }
    case JournalEntry::kPerformanceSample: {
      std::optional<JournalEntry> breach;
      AIGOV_RETURN_IF_ERROR(
          fold.Sample(entry.performance_sample(), sequence, &breach));
      if (breach) derived->push_back(std::move(*breach));
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status DriftView::DeriveAt(absl::Time now, uint64_t /*next_sequence*/,
                                 std::vector<JournalEntry>* derived) {
  // Every model version with a reference, each from its watermark: a walk
  // over the window keys would step over every closed window's deletion.
  Folder fold(*group_, options_, registry_);
  AIGOV_ASSIGN_OR_RETURN(const std::vector<std::string> keys,
                         group_->Keys(std::string(1, kReference)));
  for (const std::string& key : keys) {
    const absl::string_view mv = absl::string_view(key).substr(1);
    const size_t zero = mv.find('\0');
    if (zero == absl::string_view::npos) continue;
    AIGOV_RETURN_IF_ERROR(fold.CloseUpTo(
        std::string(mv.substr(0, zero)), std::string(mv.substr(zero + 1)),
        absl::ToUnixSeconds(now), aigov::v1::WINDOW_CLOSURE_LATENESS_PASSED,
        derived));
  }
  return absl::OkStatus();
}

absl::Status DriftView::Apply(absl::Span<const journal::SequencedEntry> entries,
                              rocksdb::ColumnFamilyHandle* family,
                              rocksdb::WriteBatch* batch) {
  Store store(db_, family);
  Folder fold(store, options_, registry_);
  for (const journal::SequencedEntry& s : entries) {
    const JournalEntry& e = *s.entry;
    switch (e.event_case()) {
      case JournalEntry::kReferenceProfile:
        AIGOV_RETURN_IF_ERROR(
            fold.Reference(e.reference_profile(), e.sequence()));
        break;
      case JournalEntry::kWindowProfile: {
        bool late = false;
        AIGOV_RETURN_IF_ERROR(
            fold.Window(e.window_profile(), e.sequence(), &late));
        break;
      }
      case JournalEntry::kDriftEvaluation:
        AIGOV_RETURN_IF_ERROR(
            fold.Evaluation(e.drift_evaluation(), e.sequence()));
        break;
      case JournalEntry::kPerformanceSample: {
        std::optional<JournalEntry> breach;
        AIGOV_RETURN_IF_ERROR(
            fold.Sample(e.performance_sample(), e.sequence(), &breach));
        break;
      }
      default:
        break;
    }
  }
  for (const auto& [key, value] : store.writes()) {
    if (value) {
      batch->Put(family, key, *value);
    } else {
      batch->Delete(family, key);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> DriftView::Registered(const std::string& model_id,
                                           const std::string& version) const {
  AIGOV_ASSIGN_OR_RETURN(
      const std::string key,
      registry::RecordKey(aigov::v1::EVENT_KIND_MODEL_VERSION, model_id,
                          version));
  AIGOV_ASSIGN_OR_RETURN(const auto record, registry_.Get(key));
  return record.has_value();
}

absl::StatusOr<std::optional<StoredReference>> DriftView::Reference(
    const std::string& model_id, const std::string& version) const {
  return Store(db_, family_)
      .GetMessage<StoredReference>(ModelKey(kReference, model_id, version));
}

absl::StatusOr<ModelDrift> DriftView::State(const std::string& model_id,
                                            const std::string& version) const {
  AIGOV_ASSIGN_OR_RETURN(
      std::optional<ModelDrift> state,
      Store(db_, family_)
          .GetMessage<ModelDrift>(ModelKey(kModel, model_id, version)));
  return state ? *state : ModelDrift();
}

absl::StatusOr<std::optional<LastEvaluation>> DriftView::Last(
    const std::string& model_id, const std::string& version) const {
  return Store(db_, family_)
      .GetMessage<LastEvaluation>(ModelKey(kLast, model_id, version));
}

absl::StatusOr<std::vector<int64_t>> DriftView::OpenWindows(
    const std::string& model_id, const std::string& version) const {
  AIGOV_ASSIGN_OR_RETURN(const std::vector<std::string> keys,
                         Store(db_, family_).OpenWindowKeys(model_id, version));
  std::vector<int64_t> starts;
  for (const std::string& key : keys) {
    starts.push_back(
        DecodeStart(absl::string_view(key).substr(key.size() - 8)));
  }
  return starts;
}

absl::StatusOr<DriftView::EvaluationPage> DriftView::Evaluations(
    const std::string& model_id, const std::string& version, int64_t from,
    size_t limit) const {
  std::string prefix = ModelKey(kEvaluation, model_id, version);
  prefix.push_back('\0');
  EvaluationPage page;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family_));
  for (it->Seek(WindowKey(kEvaluation, model_id, version, from));
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    if (page.sequences.size() == limit) {
      page.next = DecodeStart(key.substr(key.size() - 8));
      break;
    }
    uint64_t sequence = 0;
    if (!journal::DecodeSequence(
            absl::string_view(it->value().data(), it->value().size()),
            &sequence)) {
      return absl::DataLossError("drift view: a bad evaluation index value");
    }
    page.sequences.push_back(sequence);
  }
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(it->status(), "scanning the drift view"));
  return page;
}

}  // namespace aigov::drift
