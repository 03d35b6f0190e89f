#include "daemon/kinds/kinds.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/message.h"

#include "aigov/v1/options.pb.h"
#include "daemon/common/logging.h"

namespace aigov::kinds {
namespace {

constexpr absl::string_view kEnumPrefix = "EVENT_KIND_";

// A JournalEntry whose oneof fields do not describe their kinds is a build
// defect: it is refused at the first use, naming the field.
[[noreturn]] void Malformed(const google::protobuf::FieldDescriptor* field,
                            absl::string_view why) {
  common::Log(common::LogLevel::kError, "malformed event kind catalog",
              {{"field", field->full_name()}, {"reason", std::string(why)}});
  std::abort();
}

std::vector<Kind> Build() {
  std::vector<Kind> out;
  const google::protobuf::OneofDescriptor* oneof =
      aigov::v1::JournalEntry::descriptor()->FindOneofByName("event");
  for (int i = 0; i < oneof->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = oneof->field(i);
    if (!field->options().HasExtension(aigov::v1::event_kind)) {
      Malformed(field, "no (aigov.v1.event_kind) option");
    }
    const aigov::v1::EventKindOptions& o =
        field->options().GetExtension(aigov::v1::event_kind);
    if (o.kind() == aigov::v1::EVENT_KIND_UNSPECIFIED || o.name().empty() ||
        o.retention() == aigov::v1::RETENTION_CLASS_UNSPECIFIED) {
      Malformed(field, "kind, name and retention are required");
    }
    for (const Kind& k : out) {
      if (k.kind == o.kind() || k.name == o.name()) {
        Malformed(field,
                  absl::StrCat("kind or name also on ", k.field->name()));
      }
    }
    Kind k;
    k.index = out.size();
    k.kind = o.kind();
    k.event_case =
        static_cast<aigov::v1::JournalEntry::EventCase>(field->number());
    k.field = field;
    k.message = field->message_type();
    k.name = o.name();
    k.label = absl::AsciiStrToLower(
        absl::StripPrefix(aigov::v1::EventKind_Name(o.kind()), kEnumPrefix));
    k.retention = o.retention();
    k.record = o.record();
    k.document = o.document();
    out.push_back(std::move(k));
  }
  if (out.empty()) std::abort();
  return out;
}

}  // namespace

const std::vector<Kind>& All() {
  static const auto* const kinds = new std::vector<Kind>(Build());
  return *kinds;
}

const Kind* Of(aigov::v1::JournalEntry::EventCase event_case) {
  // By field number: asked for every entry the journal sequences.
  static const auto* const by_case = [] {
    auto* table = new std::vector<const Kind*>;
    for (const Kind& k : All()) {
      const size_t n = static_cast<size_t>(k.event_case);
      if (table->size() <= n) table->resize(n + 1, nullptr);
      (*table)[n] = &k;
    }
    return table;
  }();
  const size_t n = static_cast<size_t>(event_case);
  return n < by_case->size() ? (*by_case)[n] : nullptr;
}

const Kind* Of(aigov::v1::EventKind kind) {
  for (const Kind& k : All()) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

const Kind* Named(absl::string_view name) {
  const std::string upper = absl::AsciiStrToUpper(name);
  for (const Kind& k : All()) {
    const std::string& full = aigov::v1::EventKind_Name(k.kind);
    if (name == k.name || upper == full ||
        absl::StrCat(kEnumPrefix, upper) == full) {
      return &k;
    }
  }
  return nullptr;
}

aigov::v1::EventKind EventKindOf(const aigov::v1::JournalEntry& entry) {
  const Kind* kind = Of(entry);
  return kind == nullptr ? aigov::v1::EVENT_KIND_UNSPECIFIED : kind->kind;
}

std::string KindName(aigov::v1::EventKind kind) {
  const Kind* k = Of(kind);
  return k == nullptr ? "Unspecified" : k->name;
}

bool KindFromName(absl::string_view name, aigov::v1::EventKind* kind) {
  const Kind* k = Named(name);
  if (k == nullptr) return false;
  *kind = k->kind;
  return true;
}

std::vector<std::string> KindNames() {
  std::vector<std::string> out;
  for (const Kind& k : All()) out.push_back(k.name);
  return out;
}

const google::protobuf::Message* EventOf(const aigov::v1::JournalEntry& entry) {
  if (entry.has_model_version()) return &entry.model_version();  // most
  static const google::protobuf::OneofDescriptor* const oneof =
      aigov::v1::JournalEntry::descriptor()->FindOneofByName("event");
  const google::protobuf::Reflection* r = entry.GetReflection();
  const google::protobuf::FieldDescriptor* f =
      r->GetOneofFieldDescriptor(entry, oneof);
  return f == nullptr ? nullptr : &r->GetMessage(entry, f);
}

}  // namespace aigov::kinds
