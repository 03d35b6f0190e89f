#include "daemon/config/yaml_to_proto.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/timestamp.pb.h"

#include "daemon/common/status_macros.h"
#include "daemon/common/suggest.h"

namespace aigov::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Reflection;

class Walker {
 public:
  Walker(absl::string_view source, const YamlToProtoOptions& options)
      : source_(source), options_(options) {}

  absl::Status Message(const YAML::Node& node, const std::string& path,
                       google::protobuf::Message* msg, bool top_level) {
    const Descriptor* desc = msg->GetDescriptor();
    if (desc->full_name() == "google.protobuf.Timestamp" ||
        desc->full_name() == "google.protobuf.Duration") {
      return WellKnown(node, path, msg);
    }
    if (!node.IsMap()) return Error(node, path, "expected a mapping");
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      const std::string child_path =
          path.empty() ? key : absl::StrCat(path, ".", key);
      if (top_level && IsIgnored(key)) continue;
      const FieldDescriptor* field = desc->FindFieldByName(key);
      if (field == nullptr) {
        std::vector<std::string> names;
        for (int i = 0; i < desc->field_count(); ++i) {
          names.push_back(desc->field(i)->name());
        }
        return Error(
            kv.first, child_path,
            absl::StrCat("unknown field", common::DidYouMean(key, names),
                         " (known: ", KnownFields(desc), ")"));
      }
      if (kv.second.IsNull()) continue;
      AIGOV_RETURN_IF_ERROR(Field(kv.second, child_path, msg, field));
    }
    return absl::OkStatus();
  }

 private:
  bool IsIgnored(const std::string& key) const {
    for (const std::string& k : options_.ignored_top_level_keys) {
      if (k == key) return true;
    }
    return false;
  }

  static std::string KnownFields(const Descriptor* desc) {
    std::vector<std::string> names;
    names.reserve(static_cast<size_t>(desc->field_count()));
    for (int i = 0; i < desc->field_count(); ++i) {
      names.push_back(desc->field(i)->name());
    }
    return absl::StrJoin(names, ", ");
  }

  absl::Status Error(const YAML::Node& node, const std::string& path,
                     absl::string_view reason) const {
    const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ":", line, ": ",
                     path.empty() ? "(document)" : path, ": ", reason));
  }

  absl::Status Field(const YAML::Node& node, const std::string& path,
                     google::protobuf::Message* msg,
                     const FieldDescriptor* field) {
    if (field->is_map()) {
      if (!node.IsMap()) return Error(node, path, "expected a mapping");
      const Descriptor* entry_desc = field->message_type();
      const FieldDescriptor* key_field = entry_desc->map_key();
      const FieldDescriptor* value_field = entry_desc->map_value();
      for (const auto& kv : node) {
        const std::string key_text = kv.first.Scalar();
        const std::string child_path = absl::StrCat(path, ".", key_text);
        google::protobuf::Message* entry =
            msg->GetReflection()->AddMessage(msg, field);
        AIGOV_RETURN_IF_ERROR(Value(kv.first, child_path, entry, key_field));
        if (kv.second.IsNull()) {
          return Error(kv.second, child_path, "map values must not be null");
        }
        AIGOV_RETURN_IF_ERROR(Value(kv.second, child_path, entry, value_field));
      }
      return absl::OkStatus();
    }
    if (field->is_repeated()) {
      if (!node.IsSequence()) return Error(node, path, "expected a list");
      size_t i = 0;
      for (const auto& item : node) {
        const std::string child_path = absl::StrCat(path, "[", i, "]");
        AIGOV_RETURN_IF_ERROR(Value(item, child_path, msg, field));
        ++i;
      }
      return absl::OkStatus();
    }
    return Value(node, path, msg, field);
  }

  // Sets a singular field, or appends to a repeated one (`node` is then one
  // element of the list).
  absl::Status Value(const YAML::Node& node, const std::string& path,
                     google::protobuf::Message* msg,
                     const FieldDescriptor* field) {
    const Reflection* r = msg->GetReflection();
    const bool add = field->is_repeated();
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return Message(
          node, path,
          add ? r->AddMessage(msg, field) : r->MutableMessage(msg, field),
          false);
    }
    if (!node.IsScalar()) return Error(node, path, ExpectedScalar(field));
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        add ? r->AddString(msg, field, node.Scalar())
            : r->SetString(msg, field, node.Scalar());
        return absl::OkStatus();
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool v = false;
        AIGOV_RETURN_IF_ERROR(ParseBool(node, path, &v));
        add ? r->AddBool(msg, field, v) : r->SetBool(msg, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v = 0;
        AIGOV_RETURN_IF_ERROR(ParseInt(node, path, &v));
        add ? r->AddInt32(msg, field, v) : r->SetInt32(msg, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v = 0;
        AIGOV_RETURN_IF_ERROR(ParseInt(node, path, &v));
        add ? r->AddInt64(msg, field, v) : r->SetInt64(msg, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v = 0;
        AIGOV_RETURN_IF_ERROR(ParseInt(node, path, &v));
        add ? r->AddUInt32(msg, field, v) : r->SetUInt32(msg, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v = 0;
        AIGOV_RETURN_IF_ERROR(ParseInt(node, path, &v));
        add ? r->AddUInt64(msg, field, v) : r->SetUInt64(msg, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double v = 0;
        AIGOV_RETURN_IF_ERROR(ParseDouble(node, path, &v));
        add ? r->AddDouble(msg, field, v) : r->SetDouble(msg, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_FLOAT: {
        double v = 0;
        AIGOV_RETURN_IF_ERROR(ParseDouble(node, path, &v));
        const auto f = static_cast<float>(v);
        add ? r->AddFloat(msg, field, f) : r->SetFloat(msg, field, f);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const EnumValueDescriptor* v = nullptr;
        AIGOV_RETURN_IF_ERROR(ParseEnum(node, path, field->enum_type(), &v));
        add ? r->AddEnum(msg, field, v) : r->SetEnum(msg, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        break;
    }
    return Error(node, path, "unsupported field type");
  }

  static std::string ExpectedScalar(const FieldDescriptor* field) {
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        return "expected a string";
      case FieldDescriptor::CPPTYPE_BOOL:
        return "expected true or false";
      case FieldDescriptor::CPPTYPE_ENUM:
        return "expected an enum value name";
      default:
        return "expected a number";
    }
  }

  absl::Status WellKnown(const YAML::Node& node, const std::string& path,
                         google::protobuf::Message* msg) {
    const bool is_duration =
        msg->GetDescriptor()->full_name() == "google.protobuf.Duration";
    if (!node.IsScalar()) {
      return Error(
          node, path,
          is_duration ? "expected a duration" : "expected a timestamp");
    }
    const std::string& s = node.Scalar();
    if (is_duration) {
      absl::Duration d;
      if (!absl::ParseDuration(s, &d) || d == absl::InfiniteDuration() ||
          d == -absl::InfiniteDuration()) {
        return Error(node, path,
                     "expected a duration (e.g. 250ms, 1.5s, 2m, 1h)");
      }
      const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
      const int64_t nanos = absl::ToInt64Nanoseconds(d);
      auto* out = static_cast<google::protobuf::Duration*>(msg);
      out->set_seconds(seconds);
      out->set_nanos(static_cast<int32_t>(nanos));
      return absl::OkStatus();
    }
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, s, &t, &err)) {
      return Error(node, path,
                   "expected a timestamp in RFC 3339 form "
                   "(e.g. 2026-01-31T12:00:00Z)");
    }
    const int64_t seconds = absl::ToUnixSeconds(t);
    const int64_t nanos =
        absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds));
    auto* out = static_cast<google::protobuf::Timestamp*>(msg);
    out->set_seconds(seconds);
    out->set_nanos(static_cast<int32_t>(nanos));
    return absl::OkStatus();
  }

  absl::Status ParseBool(const YAML::Node& node, const std::string& path,
                         bool* out) const {
    const std::string s = absl::AsciiStrToLower(node.Scalar());
    if (s == "true") {
      *out = true;
    } else if (s == "false") {
      *out = false;
    } else {
      return Error(node, path, "expected true or false");
    }
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status ParseInt(const YAML::Node& node, const std::string& path,
                        T* out) const {
    if (std::is_unsigned<T>::value) {
      uint64_t v = 0;
      if (!absl::SimpleAtoi(node.Scalar(), &v)) {
        return Error(node, path, "expected a non-negative integer");
      }
      if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
        return Error(node, path,
                     absl::StrCat("out of range (at most ",
                                  std::numeric_limits<T>::max(), ")"));
      }
      *out = static_cast<T>(v);
    } else {
      int64_t v = 0;
      if (!absl::SimpleAtoi(node.Scalar(), &v)) {
        return Error(node, path, "expected an integer");
      }
      if (v > static_cast<int64_t>(std::numeric_limits<T>::max()) ||
          v < static_cast<int64_t>(std::numeric_limits<T>::min())) {
        return Error(node, path, "out of range");
      }
      *out = static_cast<T>(v);
    }
    return absl::OkStatus();
  }

  absl::Status ParseDouble(const YAML::Node& node, const std::string& path,
                           double* out) const {
    if (!absl::SimpleAtod(node.Scalar(), out)) {
      return Error(node, path, "expected a number");
    }
    return absl::OkStatus();
  }

  absl::Status ParseEnum(const YAML::Node& node, const std::string& path,
                         const EnumDescriptor* type,
                         const EnumValueDescriptor** out) const {
    const std::string& s = node.Scalar();
    if (const EnumValueDescriptor* v = type->FindValueByName(s)) {
      *out = v;
      return absl::OkStatus();
    }
    // Accept the value name without the enum's prefix (the text before
    // UNSPECIFIED in the zero value's name), in any case.
    std::string prefix;
    if (const EnumValueDescriptor* zero = type->FindValueByNumber(0)) {
      absl::string_view zero_name = zero->name();
      if (absl::ConsumeSuffix(&zero_name, "UNSPECIFIED")) {
        prefix = std::string(zero_name);
      }
    }
    const std::string wanted = absl::StrCat(prefix, absl::AsciiStrToUpper(s));
    // What a document may say: the short forms (lower case), the zero
    // value left out (it is refused anyway).
    std::vector<std::string> shorts;
    for (int i = 0; i < type->value_count(); ++i) {
      const EnumValueDescriptor* v = type->value(i);
      if (v->name() == wanted) {
        *out = v;
        return absl::OkStatus();
      }
      if (v->number() == 0) continue;
      absl::string_view name = v->name();
      absl::ConsumePrefix(&name, prefix);
      shorts.push_back(absl::AsciiStrToLower(name));
    }
    return Error(
        node, path,
        absl::StrCat("unknown value \"", s, "\"", common::DidYouMean(s, shorts),
                     " (expected one of ", absl::StrJoin(shorts, ", "),
                     ", or the full name, e.g. ",
                     type->value_count() > 1 ? type->value(1)->name() : "",
                     ")"));
  }

  std::string source_;
  const YamlToProtoOptions& options_;
};

}  // namespace

absl::Status YamlToProto(const YAML::Node& node, absl::string_view source,
                         google::protobuf::Message* message,
                         const YamlToProtoOptions& options) {
  if (!node.IsDefined() || node.IsNull()) return absl::OkStatus();
  Walker walker(source, options);
  return walker.Message(node, "", message, /*top_level=*/true);
}

absl::Status YamlTextToProto(absl::string_view yaml, absl::string_view source,
                             google::protobuf::Message* message,
                             const YamlToProtoOptions& options) {
  YAML::Node node;
  try {
    node = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ": invalid YAML: ", e.msg));
  }
  return YamlToProto(node, source, message, options);
}

}  // namespace aigov::config
