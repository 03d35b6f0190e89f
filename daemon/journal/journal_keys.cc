#include "daemon/journal/journal_keys.h"

#include <cstring>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

#include "aigov/v1/options.pb.h"
#include "daemon/common/status_macros.h"
#include "daemon/kinds/kinds.h"

namespace aigov::journal {
namespace {

void AppendBigEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

uint64_t ReadBigEndian(absl::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

}  // namespace

std::string EncodeSequence(uint64_t sequence) {
  std::string out;
  AppendBigEndian(sequence, 8, &out);
  return out;
}

bool DecodeSequence(absl::string_view bytes, uint64_t* sequence) {
  if (bytes.size() != 8) return false;
  *sequence = ReadBigEndian(bytes);
  return true;
}

std::string ViewStateKey(absl::string_view column_family) {
  return absl::StrCat(kViewStatePrefix, column_family);
}

std::string EncodeViewState(const ViewState& state) {
  std::string out;
  AppendBigEndian(state.version, 4, &out);
  AppendBigEndian(state.applied_through, 8, &out);
  out.push_back(state.rebuilding ? '\1' : '\0');
  AppendBigEndian(state.pruned_skipped, 8, &out);
  return out;
}

bool DecodeViewState(absl::string_view bytes, ViewState* state) {
  if (bytes.size() != 21 || static_cast<unsigned char>(bytes[12]) > 1) {
    return false;
  }
  state->version = static_cast<uint32_t>(ReadBigEndian(bytes.substr(0, 4)));
  state->applied_through = ReadBigEndian(bytes.substr(4, 8));
  state->rebuilding = bytes[12] == '\1';
  state->pruned_skipped = ReadBigEndian(bytes.substr(13, 8));
  return true;
}

std::string EventIdKey(absl::string_view event_id) {
  const common::Sha256Digest d = common::Sha256(event_id);
  return std::string(reinterpret_cast<const char*>(d.data()), 16);
}

std::string EncodeEventIdValue(uint64_t sequence,
                               const common::Sha256Digest& payload_digest,
                               absl::string_view event_id) {
  std::string out = EncodeSequence(sequence);
  out.append(reinterpret_cast<const char*>(payload_digest.data()),
             payload_digest.size());
  out.append(event_id.data(), event_id.size());
  return out;
}

bool DecodeEventIdValue(absl::string_view bytes, absl::string_view event_id,
                        uint64_t* sequence,
                        common::Sha256Digest* payload_digest) {
  const size_t fixed = 8 + payload_digest->size();
  if (bytes.size() < fixed || bytes.substr(fixed) != event_id) return false;
  *sequence = ReadBigEndian(bytes.substr(0, 8));
  std::memcpy(payload_digest->data(), bytes.data() + 8, payload_digest->size());
  return true;
}

std::string NodeKey(uint32_t level, uint64_t index) {
  std::string out(1, static_cast<char>(level));
  AppendBigEndian(index, 8, &out);
  return out;
}

std::string KindIndexPrefix(aigov::v1::EventKind kind) {
  std::string out = "k";
  AppendBigEndian(static_cast<uint32_t>(kind), 4, &out);
  return out;
}

std::string KindRunKey(aigov::v1::EventKind kind, uint64_t first) {
  std::string out = KindIndexPrefix(kind);
  AppendBigEndian(first, 8, &out);
  return out;
}

std::string ModelIndexPrefix(absl::string_view model_id) {
  std::string out = "m";
  AppendBigEndian(model_id.size(), 4, &out);
  out.append(model_id.data(), model_id.size());
  return out;
}

std::string ModelIndexKey(absl::string_view model_id, uint64_t sequence) {
  std::string out = ModelIndexPrefix(model_id);
  AppendBigEndian(sequence, 8, &out);
  return out;
}

bool SequenceFromIndexKey(absl::string_view key, uint64_t* sequence) {
  if (key.size() < 9) return false;
  *sequence = ReadBigEndian(key.substr(key.size() - 8));
  return true;
}

std::string ModelIdOf(const aigov::v1::JournalEntry& entry) {
  if (entry.has_model_version()) return entry.model_version().model_id();
  if (entry.has_deployment()) {
    return entry.deployment().model_version().model_id();
  }
  switch (entry.event_case()) {
    case aigov::v1::JournalEntry::kReferenceProfile:
      return entry.reference_profile().model_id();
    case aigov::v1::JournalEntry::kWindowProfile:
      return entry.window_profile().model_id();
    case aigov::v1::JournalEntry::kPerformanceSample:
      return entry.performance_sample().model_id();
    case aigov::v1::JournalEntry::kDriftScore:
      return entry.drift_score().model_id();
    case aigov::v1::JournalEntry::kDriftEvaluation:
      return entry.drift_evaluation().model_id();
    case aigov::v1::JournalEntry::kPerformanceBreach:
      return entry.performance_breach().model_id();
    default:
      return "";
  }
}

aigov::v1::RetentionClass RetentionClassOf(
    const aigov::v1::JournalEntry& entry) {
  const kinds::Kind* k = kinds::Of(entry);
  return k == nullptr ? aigov::v1::RETENTION_CLASS_OPERATIONAL : k->retention;
}

std::string SerializeDeterministic(
    const google::protobuf::MessageLite& message) {
  // Sized once: the bytes are written into a buffer of their exact length.
  std::string bytes(message.ByteSizeLong(), '\0');
  google::protobuf::io::ArrayOutputStream stream(
      bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeWithCachedSizes(&coded);
  AIGOV_CHECK(!coded.HadError() &&
              static_cast<size_t>(coded.ByteCount()) == bytes.size());
  return bytes;
}

namespace {

// Per event field number of JournalEntry: the fields of its message marked
// (aigov.v1.derived). Built once; read-only afterwards.
const absl::flat_hash_map<
    int, std::vector<const google::protobuf::FieldDescriptor*>>&
DerivedFields() {
  static const auto* const fields = [] {
    auto* out = new absl::flat_hash_map<
        int, std::vector<const google::protobuf::FieldDescriptor*>>();
    const google::protobuf::OneofDescriptor* event =
        aigov::v1::JournalEntry::descriptor()->FindOneofByName("event");
    for (int i = 0; i < event->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* f = event->field(i);
      const google::protobuf::Descriptor* m = f->message_type();
      for (int j = 0; j < m->field_count(); ++j) {
        if (m->field(j)->options().GetExtension(aigov::v1::derived)) {
          (*out)[f->number()].push_back(m->field(j));
        }
      }
    }
    return out;
  }();
  return *fields;
}

}  // namespace

common::Sha256Digest PayloadDigest(const aigov::v1::JournalEntry& entry) {
  // The oneof case number, then the event message's deterministic bytes,
  // without the fields aigovd derives. No copy of the event is made unless
  // one of those is set.
  std::string bytes(1, static_cast<char>(entry.event_case()));
  const google::protobuf::Message* event = kinds::EventOf(entry);
  std::unique_ptr<google::protobuf::Message> without_derived;
  if (event != nullptr) {
    const auto it = DerivedFields().find(static_cast<int>(entry.event_case()));
    if (it != DerivedFields().end()) {
      const google::protobuf::Reflection* r = event->GetReflection();
      for (const google::protobuf::FieldDescriptor* f : it->second) {
        const bool set = f->is_repeated() ? r->FieldSize(*event, f) > 0
                                          : r->HasField(*event, f);
        if (!set) continue;
        if (without_derived == nullptr) {
          without_derived.reset(event->New());
          without_derived->CopyFrom(*event);
        }
        without_derived->GetReflection()->ClearField(without_derived.get(), f);
      }
      if (without_derived != nullptr) event = without_derived.get();
    }
  }
  if (event != nullptr) {
    const size_t size = event->ByteSizeLong();
    bytes.resize(1 + size);
    google::protobuf::io::ArrayOutputStream stream(&bytes[1],
                                                   static_cast<int>(size));
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    event->SerializeWithCachedSizes(&coded);
  }
  return common::Sha256(bytes);
}

}  // namespace aigov::journal
