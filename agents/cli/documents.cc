#include "agents/cli/documents.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/yaml.h"

#include "aigov/v1/records.pb.h"
#include "daemon/common/sha256.h"
#include "daemon/common/status_macros.h"
#include "daemon/config/yaml_to_proto.h"
#include "daemon/kinds/kinds.h"

namespace aigov::cli {
namespace {

// A new message of the document kind `kind` (one whose catalog entry says
// clients write it, daemon/kinds/kinds.h), or nullptr.
std::unique_ptr<google::protobuf::Message> NewMessageForKind(
    absl::string_view kind) {
  const kinds::Kind* k = kinds::Named(kind);
  if (k == nullptr || !k->document || k->name != kind) return nullptr;
  return std::unique_ptr<google::protobuf::Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(k->message)
          ->New());
}

absl::Status ParseOne(const YAML::Node& node, absl::string_view source,
                      std::vector<Document>* out) {
  const int line = node.Mark().line + 1;
  if (!node.IsMap()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", line, ": expected a mapping with a `kind` key"));
  }
  const YAML::Node kind_node = node["kind"];
  if (!kind_node || !kind_node.IsScalar() || kind_node.Scalar().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", line, ": kind: required (one of ",
                     absl::StrJoin(SupportedKinds(), ", "), ")"));
  }
  Document doc;
  doc.kind = kind_node.Scalar();
  doc.line = line;
  doc.message = NewMessageForKind(doc.kind);
  if (doc.message == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", kind_node.Mark().line + 1, ": kind: unknown kind \"",
        doc.kind, "\" (supported: ", absl::StrJoin(SupportedKinds(), ", "),
        ")"));
  }
  config::YamlToProtoOptions options;
  options.ignored_top_level_keys = {"kind", "event_id"};
  AIGOV_RETURN_IF_ERROR(
      config::YamlToProto(node, source, doc.message.get(), options));
  const YAML::Node id_node = node["event_id"];
  if (id_node && !id_node.IsNull()) {
    if (!id_node.IsScalar()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", id_node.Mark().line + 1,
                       ": event_id: expected a string"));
    }
    doc.event_id = id_node.Scalar();
  } else {
    doc.event_id = DeriveEventId(doc.kind, *doc.message);
    doc.event_id_derived = true;
  }
  out->push_back(std::move(doc));
  return absl::OkStatus();
}

// Walks a YAML stream's documents without building nodes, to find the one
// input on which yaml-cpp 0.7's LoadAll never returns: a document whose root
// starts with ',' (a flow entry outside any flow collection, after optional
// node properties: ",", "!t ,", "---\n,"). The parser then reports the same
// empty document at the same position forever. A real document always
// consumes input, so a document starting where the previous one started is
// that case. Not thread-compatible state beyond the instance.
class DocumentStartWatch : public YAML::EventHandler {
 public:
  // True once a document started where the previous one did.
  bool stuck() const { return stuck_; }
  // Line (0-based) of the stuck document.
  int line() const { return line_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (started_ && mark.pos == last_pos_) {
      stuck_ = true;
      line_ = mark.line;
    }
    started_ = true;
    last_pos_ = mark.pos;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  bool started_ = false;
  bool stuck_ = false;
  int last_pos_ = 0;
  int line_ = 0;
};

// OK when YAML::LoadAll(text) terminates; the stuck document's line
// otherwise. Syntax errors are left to LoadAll, which reports them.
absl::Status CheckDocumentsTerminate(const std::string& text,
                                     absl::string_view source) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStartWatch watch;
  try {
    while (parser.HandleNextDocument(watch)) {
      if (watch.stuck()) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ":", watch.line() + 1,
            ": invalid YAML/JSON: ',' outside a flow collection ([...] or "
            "{...}) where a document should start"));
      }
    }
  } catch (const YAML::Exception&) {
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> SupportedKinds() {
  std::vector<std::string> out;
  for (const kinds::Kind& k : kinds::All()) {
    if (k.document) out.push_back(k.name);
  }
  return out;
}

absl::StatusOr<std::vector<Document>> ParseDocuments(absl::string_view text,
                                                     absl::string_view source) {
  const std::string owned(text);
  AIGOV_RETURN_IF_ERROR(CheckDocumentsTerminate(owned, source));
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(owned);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", e.mark.line + 1, ": invalid YAML/JSON: ", e.msg));
  }
  std::vector<Document> docs;
  for (const YAML::Node& node : nodes) {
    if (!node.IsDefined() || node.IsNull()) continue;  // empty document
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) {
        AIGOV_RETURN_IF_ERROR(ParseOne(item, source, &docs));
      }
    } else {
      AIGOV_RETURN_IF_ERROR(ParseOne(node, source, &docs));
    }
  }
  return docs;
}

std::string DeriveEventId(absl::string_view kind,
                          const google::protobuf::Message& message) {
  std::string bytes = absl::StrCat(kind, "\n");
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return absl::StrCat("sha256-", common::HexEncode(common::Sha256(bytes)));
}

}  // namespace aigov::cli
