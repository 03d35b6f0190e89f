// The catalog of event kinds, read once from the options on JournalEntry's
// `event` oneof fields ((aigov.v1.event_kind), proto/aigov/v1/journal.proto).
// Everything that needs a per-kind fact (the journal's kind index and
// retention, the ingest metrics' `kind` label, the registry's record kinds,
// aigovctl's document kinds and names) asks here instead of keeping its
// own table, so a new kind is a new field with its options plus its own
// code.
//
// Thread-safe: the catalog is built on first use and immutable.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

#include "aigov/v1/journal.pb.h"

namespace aigov::kinds {

struct Kind {
  // Dense position in All(), in field order: an index for per-kind arrays.
  size_t index;
  aigov::v1::EventKind kind;
  // The oneof case (the field number).
  aigov::v1::JournalEntry::EventCase event_case;
  // The oneof field and the message it carries.
  const google::protobuf::FieldDescriptor* field;
  const google::protobuf::Descriptor* message;
  // "ModelVersion", "Run": documents, tables, messages.
  std::string name;
  // "model_version", "run_event": the EventKind's name in snake case, the
  // `kind` label of metrics.
  std::string label;
  aigov::v1::RetentionClass retention;
  // The registry view keeps each record's current state.
  bool record;
  // Clients write it as a document (aigovctl apply).
  bool document;
};

// Every kind, in JournalEntry field order. Never empty.
const std::vector<Kind>& All();

// The kind of an oneof case, an EventKind, or a name ("ModelVersion"; the
// EventKind's name, with or without "EVENT_KIND_", in any case); nullptr
// when there is none.
const Kind* Of(aigov::v1::JournalEntry::EventCase event_case);
const Kind* Of(aigov::v1::EventKind kind);
const Kind* Named(absl::string_view name);

// The kind of the event `entry` carries; nullptr when it carries none.
inline const Kind* Of(const aigov::v1::JournalEntry& entry) {
  return Of(entry.event_case());
}

// The EventKind of the event `entry` carries; EVENT_KIND_UNSPECIFIED when
// none.
aigov::v1::EventKind EventKindOf(const aigov::v1::JournalEntry& entry);

// The event message `entry` carries, or nullptr when none.
const google::protobuf::Message* EventOf(const aigov::v1::JournalEntry& entry);

// The kind's document name ("ModelVersion"), as aigovctl writes it;
// "Unspecified" for no known kind.
std::string KindName(aigov::v1::EventKind kind);

// The kind named `name` (as Named()). False when no kind has that name.
bool KindFromName(absl::string_view name, aigov::v1::EventKind* kind);

// Every kind's KindName, in JournalEntry field order (for help and error
// messages).
std::vector<std::string> KindNames();

}  // namespace aigov::kinds
