#include "daemon/lineage/lineage_projection.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/status_macros.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/storage/rocksdb_status.h"

namespace aigov::lineage {
namespace {

using aigov::v1::DatasetRef;
using aigov::v1::JournalEntry;
using aigov::v1::LineageEdge;
using aigov::v1::LineageNode;
using aigov::v1::LineageRelation;
using aigov::v1::LineageRun;
using aigov::v1::ModelVersionRef;
using google::protobuf::Timestamp;

constexpr char kForward = 'F';
constexpr char kBackward = 'B';
constexpr char kRun = 'R';
constexpr char kUnfinished = 'O';
constexpr char kJob = 'J';
constexpr char kDeclared = 'N';
// Node types of a run and of a job's static lineage (never in an answer:
// walks pass through them).
constexpr char kRunNode = 'r';
constexpr char kJobNode = 'j';

bool IsPassThrough(const std::string& node_key) {
  return !node_key.empty() &&
         (node_key[0] == kRunNode || node_key[0] == kJobNode);
}

std::string EncodeNode(char type, absl::string_view id,
                       absl::string_view version) {
  std::string key(1, type);
  key.append(id.data(), id.size());
  key.push_back('\0');
  key.append(version.data(), version.size());
  key.push_back('\0');
  return key;
}

// Parses the node at the start of `in` and advances `in` past it.
bool ParseNode(absl::string_view* in, LineageNode* node) {
  if (in->empty()) return false;
  const char type = (*in)[0];
  const size_t id_end = in->find('\0', 1);
  if (id_end == absl::string_view::npos) return false;
  const size_t version_end = in->find('\0', id_end + 1);
  if (version_end == absl::string_view::npos) return false;
  const absl::string_view id = in->substr(1, id_end - 1);
  const absl::string_view version =
      in->substr(id_end + 1, version_end - id_end - 1);
  switch (type) {
    case 'd':
      node->mutable_dataset()->set_dataset_id(std::string(id));
      node->mutable_dataset()->set_version(std::string(version));
      break;
    case 'm':
      node->mutable_model_version()->set_model_id(std::string(id));
      node->mutable_model_version()->set_version(std::string(version));
      break;
    case 'p':
      node->set_deployment_id(std::string(id));
      break;
    default:
      return false;
  }
  in->remove_prefix(version_end + 1);
  return true;
}

std::string EdgeKey(char direction, const std::string& node,
                    LineageRelation relation, const std::string& other) {
  std::string key(1, direction);
  key += node;
  key.push_back(static_cast<char>(relation));
  key += other;
  return key;
}

bool IsTerminal(aigov::v1::RunEventType type) {
  return type == aigov::v1::RUN_EVENT_TYPE_COMPLETE ||
         type == aigov::v1::RUN_EVENT_TYPE_FAIL ||
         type == aigov::v1::RUN_EVENT_TYPE_ABORT;
}

template <typename Ref, typename Eq>
void AddUnique(google::protobuf::RepeatedPtrField<Ref>* to, const Ref& ref,
               Eq eq) {
  for (const Ref& r : *to) {
    if (eq(r, ref)) return;
  }
  *to->Add() = ref;
}

bool SameDataset(const DatasetRef& a, const DatasetRef& b) {
  return a.dataset_id() == b.dataset_id() && a.version() == b.version();
}
bool SameModel(const ModelVersionRef& a, const ModelVersionRef& b) {
  return a.model_id() == b.model_id() && a.version() == b.version();
}

absl::Status Corrupt() {
  return absl::DataLossError("a lineage view key or value does not parse");
}

// The writes of one Apply over the committed state: reads see earlier
// entries of the same group. Written to the batch once, at the end.
class GroupWrites {
 public:
  GroupWrites(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family)
      : db_(db), family_(family) {}

  void Put(std::string key, std::string value) {
    overlay_[std::move(key)] = std::move(value);
  }
  void Delete(std::string key) { overlay_[std::move(key)] = std::nullopt; }

  absl::StatusOr<std::optional<std::string>> Get(const std::string& key) {
    if (auto it = overlay_.find(key); it != overlay_.end()) return it->second;
    std::string value;
    const rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), family_, key, &value);
    if (s.IsNotFound()) return std::nullopt;
    AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "reading the lineage view"));
    return value;
  }

  // Live keys with `prefix`, in key order.
  absl::StatusOr<std::map<std::string, std::string>> Scan(
      const std::string& prefix) {
    std::map<std::string, std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), family_));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      out.emplace(it->key().ToString(), it->value().ToString());
    }
    AIGOV_RETURN_IF_ERROR(
        storage::FromRocksDb(it->status(), "reading the lineage view"));
    for (auto it2 = overlay_.lower_bound(prefix);
         it2 != overlay_.end() &&
         it2->first.compare(0, prefix.size(), prefix) == 0;
         ++it2) {
      if (it2->second) {
        out[it2->first] = *it2->second;
      } else {
        out.erase(it2->first);
      }
    }
    return out;
  }

  void WriteTo(rocksdb::ColumnFamilyHandle* family,
               rocksdb::WriteBatch* batch) const {
    for (const auto& [key, value] : overlay_) {
      if (value) {
        batch->Put(family, key, *value);
      } else {
        batch->Delete(family, key);
      }
    }
  }

  void AddEdge(const std::string& from, LineageRelation relation,
               const std::string& to, const std::string& run_id) {
    Put(EdgeKey(kForward, from, relation, to), run_id);
    Put(EdgeKey(kBackward, to, relation, from), run_id);
  }

  // Replaces the edges into `to` of the given relations by `from` nodes.
  absl::Status ReplaceIncoming(
      const std::string& to, std::initializer_list<LineageRelation> relations,
      const std::vector<std::pair<LineageRelation, std::string>>& from) {
    const std::string prefix = std::string(1, kBackward) + to;
    AIGOV_ASSIGN_OR_RETURN(const auto existing, Scan(prefix));
    for (const auto& [key, value] : existing) {
      if (key.size() <= prefix.size()) return Corrupt();
      const auto relation = static_cast<LineageRelation>(key[prefix.size()]);
      bool replaced = false;
      for (LineageRelation r : relations) replaced = replaced || r == relation;
      if (!replaced) continue;
      const std::string other = key.substr(prefix.size() + 1);
      Delete(key);
      Delete(EdgeKey(kForward, other, relation, to));
    }
    for (const auto& [relation, node] : from) AddEdge(node, relation, to, "");
    return absl::OkStatus();
  }

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
  std::map<std::string, std::optional<std::string>> overlay_;
};

// (terminal, event time, type): the event that decides a run's state is the
// greatest, so the state does not depend on the order events arrive in.
bool DecidesOver(aigov::v1::RunEventType type, const Timestamp& time,
                 aigov::v1::RunEventType current,
                 const Timestamp& current_time) {
  const auto key = [](aigov::v1::RunEventType t, const Timestamp& at) {
    return std::make_tuple(IsTerminal(t), at.seconds(), at.nanos(),
                           static_cast<int>(t));
  };
  return key(type, time) > key(current, current_time);
}

bool Before(const Timestamp& a, const Timestamp& b) {
  return std::make_pair(a.seconds(), a.nanos()) <
         std::make_pair(b.seconds(), b.nanos());
}

// Sorts references by id, then version.
void SortRefs(google::protobuf::RepeatedPtrField<DatasetRef>* refs) {
  std::sort(refs->begin(), refs->end(),
            [](const DatasetRef& a, const DatasetRef& b) {
              return std::tie(a.dataset_id(), a.version()) <
                     std::tie(b.dataset_id(), b.version());
            });
}
void SortRefs(google::protobuf::RepeatedPtrField<ModelVersionRef>* refs) {
  std::sort(refs->begin(), refs->end(),
            [](const ModelVersionRef& a, const ModelVersionRef& b) {
              return std::tie(a.model_id(), a.version()) <
                     std::tie(b.model_id(), b.version());
            });
}

// Sorts the four reference lists of a LineageRun or LineageJob.
template <typename Lineage>
void SortAllRefs(Lineage* l) {
  SortRefs(l->mutable_inputs());
  SortRefs(l->mutable_outputs());
  SortRefs(l->mutable_input_models());
  SortRefs(l->mutable_output_models());
}

// Adds (or, with `remove`, deletes) the edges through `node` (a run or a
// job) of `l`'s inputs and outputs: each input → node → each output, named
// `name`.
template <typename Lineage>
void EdgesThrough(const Lineage& l, const std::string& node,
                  LineageRelation relation, const std::string& name,
                  bool remove, GroupWrites* w) {
  const auto edge = [&](const std::string& from, const std::string& to) {
    if (remove) {
      w->Delete(EdgeKey(kForward, from, relation, to));
      w->Delete(EdgeKey(kBackward, to, relation, from));
    } else {
      w->AddEdge(from, relation, to, name);
    }
  };
  for (const auto& d : l.inputs()) edge(NodeKey(DatasetNode(d)), node);
  for (const auto& m : l.input_models()) edge(NodeKey(ModelNode(m)), node);
  for (const auto& d : l.outputs()) edge(node, NodeKey(DatasetNode(d)));
  for (const auto& m : l.output_models()) edge(node, NodeKey(ModelNode(m)));
}

// The node of a run in the graph: inputs → run → outputs, as OpenLineage
// models it, so a run costs |inputs| + |outputs| edges, not their product.
std::string RunNodeKey(absl::string_view run_id) {
  return EncodeNode(kRunNode, run_id, "");
}

absl::Status ApplyRun(const JournalEntry& e, GroupWrites* w) {
  const aigov::v1::RunEvent& ev = e.run_event();
  const std::string run_key = std::string(1, kRun) + ev.run_id();
  AIGOV_ASSIGN_OR_RETURN(const std::optional<std::string> stored,
                         w->Get(run_key));
  LineageRun run;
  if (stored) {
    if (!run.ParseFromString(*stored)) return Corrupt();
    if (Before(ev.event_time(), run.started_at())) {
      *run.mutable_started_at() = ev.event_time();
    }
    if (Before(run.updated_at(), ev.event_time())) {
      *run.mutable_updated_at() = ev.event_time();
    }
  } else {
    run.set_run_id(ev.run_id());
    run.set_job_namespace(ev.job_namespace());
    run.set_job_name(ev.job_name());
    *run.mutable_started_at() = ev.event_time();
    *run.mutable_updated_at() = ev.event_time();
    run.set_source(ev.source());
  }
  if (!stored || DecidesOver(ev.event_type(), ev.event_time(), run.state(),
                             run.state_at())) {
    run.set_state(ev.event_type());
    *run.mutable_state_at() = ev.event_time();
  }
  run.set_finished(run.finished() || IsTerminal(ev.event_type()));
  for (const auto& d : ev.inputs()) {
    AddUnique(run.mutable_inputs(), d, SameDataset);
  }
  for (const auto& d : ev.outputs()) {
    AddUnique(run.mutable_outputs(), d, SameDataset);
  }
  for (const auto& m : ev.input_models()) {
    AddUnique(run.mutable_input_models(), m, SameModel);
  }
  for (const auto& m : ev.output_models()) {
    AddUnique(run.mutable_output_models(), m, SameModel);
  }
  SortAllRefs(&run);
  run.add_sequences(e.sequence());

  // This event's own inputs and outputs: edges of earlier events are stored.
  EdgesThrough(ev, RunNodeKey(run.run_id()), aigov::v1::LINEAGE_RELATION_RUN,
               run.run_id(), /*remove=*/false, w);
  const std::string open_key = std::string(1, kUnfinished) + ev.run_id();
  if (run.finished()) {
    w->Delete(open_key);
  } else {
    w->Put(open_key, run.job_namespace());
  }
  w->Put(run_key, journal::SerializeDeterministic(run));
  return absl::OkStatus();
}

// The node of a job's static lineage: inputs → job → outputs.
std::string JobNodeKey(absl::string_view job_namespace,
                       absl::string_view job_name) {
  return EncodeNode(kJobNode, job_namespace, job_name);
}

// Adds (or, with `remove`, deletes) the edges of a job's declared lineage.
void JobEdges(const aigov::v1::LineageJob& job, bool remove, GroupWrites* w) {
  EdgesThrough(job, JobNodeKey(job.job_namespace(), job.job_name()),
               aigov::v1::LINEAGE_RELATION_JOB,
               absl::StrCat(job.job_namespace(), "/", job.job_name()), remove,
               w);
}

// A JobEvent replaces the job's declared inputs and outputs when it is the
// latest declaration by event time (and names any); a DatasetEvent makes its
// dataset a node of the graph.
absl::Status ApplyDeclaration(const JournalEntry& e, GroupWrites* w) {
  const aigov::v1::LineageDeclaration& d = e.lineage_declaration();
  if (d.type() == aigov::v1::LINEAGE_DECLARATION_TYPE_DATASET) {
    const LineageNode node = d.has_model_version()
                                 ? ModelNode(d.model_version())
                                 : DatasetNode(d.dataset());
    w->Put(std::string(1, kDeclared) + NodeKey(node), "");
    return absl::OkStatus();
  }
  const std::string job_key =
      std::string(1, kJob) + JobNodeKey(d.job_namespace(), d.job_name());
  AIGOV_ASSIGN_OR_RETURN(const std::optional<std::string> stored,
                         w->Get(job_key));
  aigov::v1::LineageJob job;
  if (stored && !job.ParseFromString(*stored)) return Corrupt();
  const bool names_any = !d.inputs().empty() || !d.outputs().empty() ||
                         !d.input_models().empty() ||
                         !d.output_models().empty();
  const bool latest = !stored || !Before(d.event_time(), job.declared_at());
  if (latest) {
    if (names_any) {
      JobEdges(job, /*remove=*/true, w);
      *job.mutable_inputs() = d.inputs();
      *job.mutable_outputs() = d.outputs();
      *job.mutable_input_models() = d.input_models();
      *job.mutable_output_models() = d.output_models();
      SortAllRefs(&job);
    }
    job.set_job_namespace(d.job_namespace());
    job.set_job_name(d.job_name());
    *job.mutable_declared_at() = d.event_time();
    JobEdges(job, /*remove=*/false, w);
  }
  job.add_sequences(e.sequence());
  w->Put(job_key, journal::SerializeDeterministic(job));
  return absl::OkStatus();
}

}  // namespace

std::string NodeKey(const LineageNode& node) {
  switch (node.node_case()) {
    case LineageNode::kDataset:
      return EncodeNode('d', node.dataset().dataset_id(),
                        node.dataset().version());
    case LineageNode::kModelVersion:
      return EncodeNode('m', node.model_version().model_id(),
                        node.model_version().version());
    case LineageNode::kDeploymentId:
      return EncodeNode('p', node.deployment_id(), "");
    case LineageNode::NODE_NOT_SET:
      break;
  }
  return "";
}

LineageNode DatasetNode(const DatasetRef& ref) {
  LineageNode node;
  *node.mutable_dataset() = ref;
  return node;
}

LineageNode ModelNode(const ModelVersionRef& ref) {
  LineageNode node;
  *node.mutable_model_version() = ref;
  return node;
}

LineageNode DeploymentNode(absl::string_view deployment_id) {
  LineageNode node;
  node.set_deployment_id(std::string(deployment_id));
  return node;
}

absl::Status LineageProjection::Attach(rocksdb::DB* db,
                                       rocksdb::ColumnFamilyHandle* family) {
  db_ = db;
  family_ = family;
  return absl::OkStatus();
}

namespace {

std::string JobOf(absl::string_view job_namespace, absl::string_view name) {
  return absl::StrCat(job_namespace, "/", name);
}

}  // namespace

absl::Status LineageProjection::Check(const JournalEntry& entry) {
  if (!entry.has_run_event()) return absl::OkStatus();
  const aigov::v1::RunEvent& ev = entry.run_event();
  const std::string job = JobOf(ev.job_namespace(), ev.job_name());
  std::string owner;
  if (auto it = group_jobs_.find(ev.run_id()); it != group_jobs_.end()) {
    owner = it->second;
  } else {
    AIGOV_ASSIGN_OR_RETURN(const std::optional<LineageRun> run,
                           GetRun(ev.run_id()));
    if (!run) return absl::OkStatus();
    owner = JobOf(run->job_namespace(), run->job_name());
  }
  if (owner == job) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "run.run_id: run ", ev.run_id(), " is a run of job \"", owner,
      "\"; this event names job \"", job,
      "\" (a runId identifies one run of one job: give this run a new "
      "UUID)"));
}

void LineageProjection::Admitted(const JournalEntry& entry) {
  if (!entry.has_run_event()) return;
  const aigov::v1::RunEvent& ev = entry.run_event();
  group_jobs_.emplace(ev.run_id(), JobOf(ev.job_namespace(), ev.job_name()));
}

absl::Status LineageProjection::Apply(
    absl::Span<const journal::SequencedEntry> entries,
    rocksdb::ColumnFamilyHandle* family, rocksdb::WriteBatch* batch) {
  GroupWrites w(db_, family);
  for (const journal::SequencedEntry& s : entries) {
    const JournalEntry& e = *s.entry;
    switch (e.event_case()) {
      case JournalEntry::kRunEvent:
        AIGOV_RETURN_IF_ERROR(ApplyRun(e, &w));
        break;
      case JournalEntry::kLineageDeclaration:
        AIGOV_RETURN_IF_ERROR(ApplyDeclaration(e, &w));
        break;
      case JournalEntry::kDatasetVersion: {
        std::vector<std::pair<LineageRelation, std::string>> from;
        for (const DatasetRef& p : e.dataset_version().parents()) {
          from.emplace_back(aigov::v1::LINEAGE_RELATION_PARENT,
                            NodeKey(DatasetNode(p)));
        }
        DatasetRef self;
        self.set_dataset_id(e.dataset_version().dataset_id());
        self.set_version(e.dataset_version().version());
        AIGOV_RETURN_IF_ERROR(
            w.ReplaceIncoming(NodeKey(DatasetNode(self)),
                              {aigov::v1::LINEAGE_RELATION_PARENT}, from));
        break;
      }
      case JournalEntry::kModelVersion: {
        const aigov::v1::ModelVersion& mv = e.model_version();
        std::vector<std::pair<LineageRelation, std::string>> from;
        for (const DatasetRef& d : mv.training_datasets()) {
          from.emplace_back(aigov::v1::LINEAGE_RELATION_TRAINED_ON,
                            NodeKey(DatasetNode(d)));
        }
        for (const DatasetRef& d : mv.evaluation_datasets()) {
          from.emplace_back(aigov::v1::LINEAGE_RELATION_EVALUATED_ON,
                            NodeKey(DatasetNode(d)));
        }
        ModelVersionRef self;
        self.set_model_id(mv.model_id());
        self.set_version(mv.version());
        AIGOV_RETURN_IF_ERROR(
            w.ReplaceIncoming(NodeKey(ModelNode(self)),
                              {aigov::v1::LINEAGE_RELATION_TRAINED_ON,
                               aigov::v1::LINEAGE_RELATION_EVALUATED_ON},
                              from));
        break;
      }
      case JournalEntry::kDeployment: {
        const aigov::v1::Deployment& d = e.deployment();
        AIGOV_RETURN_IF_ERROR(
            w.ReplaceIncoming(NodeKey(DeploymentNode(d.deployment_id())),
                              {aigov::v1::LINEAGE_RELATION_SERVES},
                              {{aigov::v1::LINEAGE_RELATION_SERVES,
                                NodeKey(ModelNode(d.model_version()))}}));
        break;
      }
      default:
        break;
    }
  }
  w.WriteTo(family, batch);
  return absl::OkStatus();
}

absl::StatusOr<Walk> LineageProjection::Traverse(const LineageNode& start,
                                                 bool downstream) const {
  Walk walk;
  const std::string start_key = NodeKey(start);
  absl::flat_hash_set<std::string> seen = {start_key};
  std::deque<std::string> queue = {start_key};
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family_));
  const char direction = downstream ? kForward : kBackward;
  // One edge out of a node in the walk's direction.
  struct Step {
    LineageRelation relation;
    std::string other;   // node key
    std::string run_id;  // or, for LINEAGE_RELATION_JOB, the job
  };
  const auto steps_from = [&](const std::string& node,
                              std::vector<Step>* out) -> absl::Status {
    const std::string prefix = std::string(1, direction) + node;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      absl::string_view rest(it->key().data() + prefix.size(),
                             it->key().size() - prefix.size());
      if (rest.size() < 2) return Corrupt();
      out->push_back({static_cast<LineageRelation>(rest[0]),
                      std::string(rest.substr(1)), it->value().ToString()});
    }
    return storage::FromRocksDb(it->status(), "walking the lineage view");
  };
  while (!queue.empty()) {
    const std::string node = std::move(queue.front());
    queue.pop_front();
    LineageNode here;
    absl::string_view here_key = node;
    if (!ParseNode(&here_key, &here)) return Corrupt();
    std::vector<Step> direct;
    AIGOV_RETURN_IF_ERROR(steps_from(node, &direct));
    std::vector<Step> reached;
    for (Step& step : direct) {
      if (!IsPassThrough(step.other)) {
        reached.push_back(std::move(step));
        continue;
      }
      // Through a run (or a job) to its other side, once per walk: its
      // inputs and outputs are reported as edges between them, named by it.
      if (!seen.insert(step.other).second) continue;
      std::vector<Step> through;
      AIGOV_RETURN_IF_ERROR(steps_from(step.other, &through));
      for (Step& t : through) {
        if (t.other != node && !IsPassThrough(t.other)) {
          reached.push_back(std::move(t));
        }
      }
    }
    for (Step& step : reached) {
      absl::string_view rest = step.other;
      LineageNode there;
      if (!ParseNode(&rest, &there)) return Corrupt();
      LineageEdge* edge = &walk.edges.emplace_back();
      *edge->mutable_from() = downstream ? here : there;
      *edge->mutable_to() = downstream ? there : here;
      edge->set_relation(step.relation);
      if (step.relation == aigov::v1::LINEAGE_RELATION_JOB) {
        edge->set_job(std::move(step.run_id));
      } else {
        edge->set_run_id(std::move(step.run_id));
      }
      if (seen.insert(step.other).second) {
        walk.nodes.push_back(std::move(there));
        queue.push_back(std::move(step.other));
      }
    }
  }
  return walk;
}

absl::StatusOr<Walk> LineageProjection::Downstream(
    const LineageNode& start) const {
  return Traverse(start, true);
}

absl::StatusOr<Walk> LineageProjection::Upstream(
    const LineageNode& start) const {
  return Traverse(start, false);
}

absl::StatusOr<bool> LineageProjection::HasNode(const LineageNode& node) const {
  const std::string key = NodeKey(node);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family_));
  for (const char direction : {kForward, kBackward, kDeclared}) {
    const std::string prefix = std::string(1, direction) + key;
    it->Seek(prefix);
    if (it->Valid() && it->key().starts_with(prefix)) return true;
    AIGOV_RETURN_IF_ERROR(
        storage::FromRocksDb(it->status(), "reading the lineage view"));
  }
  return false;
}

absl::StatusOr<std::optional<LineageRun>> LineageProjection::GetRun(
    absl::string_view run_id) const {
  std::string value;
  const rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), family_,
               absl::StrCat(std::string(1, kRun), run_id), &value);
  if (s.IsNotFound()) return std::nullopt;
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "reading a lineage run"));
  LineageRun run;
  if (!run.ParseFromString(value)) return Corrupt();
  return run;
}

absl::StatusOr<LineageProjection::RunPage> LineageProjection::ListRuns(
    bool unfinished_only, const std::string& start_run_id,
    size_t page_size) const {
  RunPage page;
  const std::string prefix(1, unfinished_only ? kUnfinished : kRun);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family_));
  for (it->Seek(prefix + start_run_id);
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string run_id = it->key().ToString().substr(1);
    if (page.runs.size() == page_size) {
      page.next_run_id = run_id;
      break;
    }
    if (unfinished_only) {
      AIGOV_ASSIGN_OR_RETURN(std::optional<LineageRun> run, GetRun(run_id));
      if (!run) return Corrupt();
      page.runs.push_back(std::move(*run));
    } else {
      LineageRun& run = page.runs.emplace_back();
      if (!run.ParseFromArray(it->value().data(),
                              static_cast<int>(it->value().size()))) {
        return Corrupt();
      }
    }
  }
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(it->status(), "listing lineage runs"));
  return page;
}

absl::StatusOr<std::map<std::string, uint64_t>>
LineageProjection::CountUnfinishedRuns() const {
  std::map<std::string, uint64_t> counts;
  const std::string prefix(1, kUnfinished);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family_));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    ++counts[it->value().ToString()];
  }
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(it->status(), "counting unfinished runs"));
  return counts;
}

}  // namespace aigov::lineage
