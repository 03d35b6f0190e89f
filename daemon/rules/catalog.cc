#include "daemon/rules/catalog.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "yaml-cpp/yaml.h"

#include "daemon/common/status_macros.h"
#include "daemon/rules/vocabulary.h"

namespace aigov::rules {
namespace {

constexpr const char* kPeriodSettings[] = {"gdpr_breach_window",
                                           "immediate_action_sla"};

// Where an error is: "file: record: field".
struct Where {
  std::string file;
  std::string record;

  absl::Status Error(absl::string_view field, absl::string_view reason) const {
    std::string at = file;
    if (!record.empty()) absl::StrAppend(&at, ": ", record);
    if (!field.empty()) absl::StrAppend(&at, ": ", field);
    return absl::InvalidArgumentError(absl::StrCat(at, ": ", reason));
  }
};

// Refuses keys of `node` (a map) outside `allowed`.
absl::Status OnlyKeys(const YAML::Node& node, const Where& where,
                      absl::string_view path,
                      std::initializer_list<absl::string_view> allowed) {
  if (!node.IsMap()) return where.Error(path, "expected a mapping");
  for (const auto& kv : node) {
    const std::string key =
        kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return where.Error(path.empty() ? key : absl::StrCat(path, ".", key),
                         absl::StrCat("unknown key; expected one of ",
                                      absl::StrJoin(allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Scalar(const YAML::Node& node, const Where& where,
                                   absl::string_view field, bool required) {
  if (!node || node.IsNull()) {
    if (required) return where.Error(field, "required");
    return std::string();
  }
  if (!node.IsScalar()) return where.Error(field, "expected a string");
  std::string s = node.Scalar();
  if (required && absl::StripAsciiWhitespace(s).empty()) {
    return where.Error(field, "must not be empty");
  }
  return s;
}

absl::StatusOr<std::vector<std::string>> List(const YAML::Node& node,
                                              const Where& where,
                                              absl::string_view field) {
  std::vector<std::string> out;
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) return where.Error(field, "expected a list");
  for (size_t i = 0; i < node.size(); ++i) {
    AIGOV_ASSIGN_OR_RETURN(
        std::string s,
        Scalar(node[i], where, absl::StrCat(field, "[", i, "]"), true));
    out.push_back(std::move(s));
  }
  return out;
}

// Each of `names` must be a term of `terms` (`kind` says which, for the
// error).
absl::Status Known(const std::vector<std::string>& names,
                   absl::Span<const Term> terms, const Where& where,
                   absl::string_view field, absl::string_view kind) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (Find(terms, names[i]) == nullptr) {
      return where.Error(
          names.size() == 1 && !absl::StrContains(field, "[")
              ? std::string(field)
              : absl::StrCat(field, "[", i, "]"),
          absl::StrCat("unknown ", kind, " \"", names[i],
                       "\" (daemon/rules/vocabulary.cc lists them)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Period> ParsePeriod(const YAML::Node& node, const Where& where,
                                   absl::string_view field) {
  AIGOV_ASSIGN_OR_RETURN(const std::string text,
                         Scalar(node, where, field, true));
  Period p;
  absl::string_view s = text;
  if (absl::ConsumePrefix(&s, "config:")) {
    const auto settings = PeriodSettings();
    if (std::find(settings.begin(), settings.end(), s) == settings.end()) {
      return where.Error(
          field, absl::StrCat("unknown setting \"", s, "\"; expected one of ",
                              absl::StrJoin(settings, ", ")));
    }
    p.unit = Period::Unit::kConfig;
    p.config_key = std::string(s);
    return p;
  }
  if (absl::ConsumeSuffix(&s, "mo")) {
    p.unit = Period::Unit::kMonths;
  } else if (absl::ConsumeSuffix(&s, "d")) {
    p.unit = Period::Unit::kDays;
  } else if (absl::ConsumeSuffix(&s, "w")) {
    p.unit = Period::Unit::kWeeks;
  } else if (absl::ConsumeSuffix(&s, "h")) {
    p.unit = Period::Unit::kHours;
  } else {
    s = absl::string_view();
  }
  if (s.empty() || !absl::SimpleAtoi(s, &p.count) || p.count <= 0 ||
      p.count > 100000) {
    return where.Error(field,
                       absl::StrCat("expected Nh, Nd, Nw, Nmo or config:NAME "
                                    "with 0 < N <= 100000, got \"",
                                    text, "\""));
  }
  return p;
}

absl::StatusOr<Clock> ParseClock(const YAML::Node& node, const Where& where) {
  AIGOV_RETURN_IF_ERROR(OnlyKeys(
      node, where, "clock", {"start", "stop", "period", "cases", "extension"}));
  Clock c;
  AIGOV_ASSIGN_OR_RETURN(c.start,
                         Scalar(node["start"], where, "clock.start", true));
  AIGOV_ASSIGN_OR_RETURN(c.stop,
                         Scalar(node["stop"], where, "clock.stop", true));
  AIGOV_RETURN_IF_ERROR(
      Known({c.start}, Events(), where, "clock.start", "event"));
  AIGOV_RETURN_IF_ERROR(
      Known({c.stop}, Events(), where, "clock.stop", "event"));
  AIGOV_ASSIGN_OR_RETURN(c.period,
                         ParsePeriod(node["period"], where, "clock.period"));
  const YAML::Node cases = node["cases"];
  if (cases && !cases.IsNull()) {
    if (!cases.IsSequence()) {
      return where.Error("clock.cases", "expected a list");
    }
    for (size_t i = 0; i < cases.size(); ++i) {
      const std::string path = absl::StrCat("clock.cases[", i, "]");
      AIGOV_RETURN_IF_ERROR(
          OnlyKeys(cases[i], where, path, {"when", "period"}));
      ClockCase k;
      AIGOV_ASSIGN_OR_RETURN(
          k.when, Scalar(cases[i]["when"], where, path + ".when", true));
      AIGOV_RETURN_IF_ERROR(
          Known({k.when}, Conditions(), where, path + ".when", "condition"));
      AIGOV_ASSIGN_OR_RETURN(
          k.period, ParsePeriod(cases[i]["period"], where, path + ".period"));
      c.cases.push_back(std::move(k));
    }
  }
  const YAML::Node ext = node["extension"];
  if (ext && !ext.IsNull()) {
    AIGOV_RETURN_IF_ERROR(
        OnlyKeys(ext, where, "clock.extension", {"when", "add"}));
    AIGOV_ASSIGN_OR_RETURN(
        c.extension_when,
        Scalar(ext["when"], where, "clock.extension.when", true));
    AIGOV_RETURN_IF_ERROR(Known({c.extension_when}, Events(), where,
                                "clock.extension.when", "event"));
    AIGOV_ASSIGN_OR_RETURN(
        c.extension, ParsePeriod(ext["add"], where, "clock.extension.add"));
  }
  return c;
}

absl::StatusOr<aigov::v1::DocumentType> ParseDocumentType(
    const std::string& name, const Where& where, absl::string_view field) {
  aigov::v1::DocumentType type = aigov::v1::DOCUMENT_TYPE_UNSPECIFIED;
  if (!aigov::v1::DocumentType_Parse("DOCUMENT_TYPE_" + name, &type) ||
      type == aigov::v1::DOCUMENT_TYPE_UNSPECIFIED) {
    return where.Error(
        field,
        absl::StrCat("unknown document type \"", name,
                     "\" (aigov.v1.DocumentType without its DOCUMENT_TYPE_ "
                     "prefix, e.g. DPIA, ANNEX_IV_1)"));
  }
  return type;
}

bool ValidId(absl::string_view id) {
  absl::string_view digits = id;
  if (!absl::ConsumePrefix(&digits, "AIA-") &&
      !absl::ConsumePrefix(&digits, "GDPR-")) {
    return false;
  }
  return digits.size() == 2 && digits[0] >= '0' && digits[0] <= '9' &&
         digits[1] >= '0' && digits[1] <= '9';
}

absl::StatusOr<Obligation> ParseObligation(const YAML::Node& node,
                                           const Where& at_file, size_t index) {
  Where where = at_file;
  where.record = absl::StrCat("obligations[", index, "]");
  if (!node.IsMap()) return where.Error("", "expected a mapping");
  Obligation o;
  o.file = where.file;
  AIGOV_ASSIGN_OR_RETURN(o.id, Scalar(node["id"], where, "id", true));
  if (!ValidId(o.id)) {
    return where.Error(
        "id", absl::StrCat("expected AIA-NN or GDPR-NN, got \"", o.id, "\""));
  }
  where.record = o.id;
  AIGOV_RETURN_IF_ERROR(
      OnlyKeys(node, where, "",
               {"id", "article", "title", "actors", "applies", "applies_any",
                "applies_from", "applies_from_cases", "evidence", "due_before",
                "clock", "severity", "in_code"}));
  AIGOV_ASSIGN_OR_RETURN(o.article,
                         Scalar(node["article"], where, "article", true));
  AIGOV_ASSIGN_OR_RETURN(o.title, Scalar(node["title"], where, "title", true));
  AIGOV_ASSIGN_OR_RETURN(o.actors, List(node["actors"], where, "actors"));
  if (o.actors.empty()) return where.Error("actors", "at least one required");
  for (size_t i = 0; i < o.actors.size(); ++i) {
    static constexpr absl::string_view kActors[] = {
        "provider", "deployer",   "gpai_provider",
        "operator", "controller", "processor"};
    if (std::find(std::begin(kActors), std::end(kActors), o.actors[i]) ==
        std::end(kActors)) {
      return where.Error(
          absl::StrCat("actors[", i, "]"),
          absl::StrCat("unknown actor \"", o.actors[i], "\"; expected one of ",
                       absl::StrJoin(kActors, ", ")));
    }
  }
  AIGOV_ASSIGN_OR_RETURN(o.applies, List(node["applies"], where, "applies"));
  if (o.applies.empty()) {
    return where.Error("applies",
                       "at least one condition required (\"always\" if none)");
  }
  AIGOV_RETURN_IF_ERROR(
      Known(o.applies, Conditions(), where, "applies", "condition"));
  AIGOV_ASSIGN_OR_RETURN(o.applies_any,
                         List(node["applies_any"], where, "applies_any"));
  AIGOV_RETURN_IF_ERROR(
      Known(o.applies_any, Conditions(), where, "applies_any", "condition"));
  AIGOV_ASSIGN_OR_RETURN(o.applies_from, Scalar(node["applies_from"], where,
                                                "applies_from", true));
  const YAML::Node cases = node["applies_from_cases"];
  if (cases && !cases.IsNull()) {
    if (!cases.IsSequence()) {
      return where.Error("applies_from_cases", "expected a list");
    }
    for (size_t i = 0; i < cases.size(); ++i) {
      const std::string path = absl::StrCat("applies_from_cases[", i, "]");
      AIGOV_RETURN_IF_ERROR(OnlyKeys(cases[i], where, path, {"when", "date"}));
      DateCase d;
      AIGOV_ASSIGN_OR_RETURN(
          d.when, Scalar(cases[i]["when"], where, path + ".when", true));
      AIGOV_RETURN_IF_ERROR(
          Known({d.when}, Conditions(), where, path + ".when", "condition"));
      AIGOV_ASSIGN_OR_RETURN(
          d.date, Scalar(cases[i]["date"], where, path + ".date", true));
      o.applies_from_cases.push_back(std::move(d));
    }
  }
  const YAML::Node evidence = node["evidence"];
  if (evidence && !evidence.IsNull()) {
    AIGOV_RETURN_IF_ERROR(
        OnlyKeys(evidence, where, "evidence",
                 {"documents", "cover", "events", "attributes"}));
    AIGOV_ASSIGN_OR_RETURN(
        const std::vector<std::string> documents,
        List(evidence["documents"], where, "evidence.documents"));
    for (size_t i = 0; i < documents.size(); ++i) {
      AIGOV_ASSIGN_OR_RETURN(
          const aigov::v1::DocumentType type,
          ParseDocumentType(documents[i], where,
                            absl::StrCat("evidence.documents[", i, "]")));
      o.documents.push_back(type);
    }
    AIGOV_ASSIGN_OR_RETURN(
        const std::string cover,
        Scalar(evidence["cover"], where, "evidence.cover", false));
    if (cover == "deployed_model_versions") {
      o.cover = Cover::kDeployedModelVersions;
      if (o.documents.empty()) {
        return where.Error("evidence.cover",
                           "deployed_model_versions needs documents to cover "
                           "them");
      }
    } else if (!cover.empty() && cover != "system") {
      return where.Error(
          "evidence.cover",
          absl::StrCat("expected system or deployed_model_versions, got \"",
                       cover, "\""));
    }
    AIGOV_ASSIGN_OR_RETURN(o.evidence_events,
                           List(evidence["events"], where, "evidence.events"));
    AIGOV_RETURN_IF_ERROR(
        Known(o.evidence_events, Events(), where, "evidence.events", "event"));
    AIGOV_ASSIGN_OR_RETURN(o.attributes, List(evidence["attributes"], where,
                                              "evidence.attributes"));
    AIGOV_RETURN_IF_ERROR(Known(o.attributes, Attributes(), where,
                                "evidence.attributes", "attribute"));
  }
  AIGOV_ASSIGN_OR_RETURN(
      o.due_before, Scalar(node["due_before"], where, "due_before", false));
  if (!o.due_before.empty()) {
    AIGOV_RETURN_IF_ERROR(
        Known({o.due_before}, Events(), where, "due_before", "event"));
  }
  if (node["clock"] && !node["clock"].IsNull()) {
    AIGOV_ASSIGN_OR_RETURN(o.clock, ParseClock(node["clock"], where));
  }
  AIGOV_ASSIGN_OR_RETURN(const std::string severity,
                         Scalar(node["severity"], where, "severity", true));
  if (severity == "low") {
    o.severity = Severity::kLow;
  } else if (severity == "medium") {
    o.severity = Severity::kMedium;
  } else if (severity == "high") {
    o.severity = Severity::kHigh;
  } else if (severity == "critical") {
    o.severity = Severity::kCritical;
  } else {
    return where.Error("severity",
                       absl::StrCat("expected low, medium, high or critical, "
                                    "got \"",
                                    severity, "\""));
  }
  AIGOV_ASSIGN_OR_RETURN(o.in_code,
                         Scalar(node["in_code"], where, "in_code", false));
  if (o.documents.empty() && o.evidence_events.empty() &&
      o.attributes.empty() && !o.clock && o.in_code.empty()) {
    return where.Error("",
                       "states no evidence, no clock and no in_code: nothing "
                       "could ever satisfy or violate it");
  }
  return o;
}

absl::StatusOr<absl::CivilDay> ParseDay(const std::string& text,
                                        const Where& where,
                                        absl::string_view field) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
    return where.Error(field,
                       absl::StrCat("expected YYYY-MM-DD, got \"", text, "\""));
  }
  return day;
}

absl::StatusOr<Regime> ParseRegime(const YAML::Node& node, const Where& at_file,
                                   size_t index) {
  Where where = at_file;
  where.record = absl::StrCat("regimes[", index, "]");
  if (!node.IsMap()) return where.Error("", "expected a mapping");
  Regime r;
  AIGOV_ASSIGN_OR_RETURN(r.id, Scalar(node["id"], where, "id", true));
  where.record = r.id;
  AIGOV_RETURN_IF_ERROR(OnlyKeys(
      node, where, "", {"id", "title", "in_force_from", "before", "dates"}));
  AIGOV_ASSIGN_OR_RETURN(r.title, Scalar(node["title"], where, "title", true));
  AIGOV_ASSIGN_OR_RETURN(
      const std::string in_force,
      Scalar(node["in_force_from"], where, "in_force_from", true));
  AIGOV_ASSIGN_OR_RETURN(r.in_force_from,
                         ParseDay(in_force, where, "in_force_from"));
  AIGOV_ASSIGN_OR_RETURN(r.before,
                         Scalar(node["before"], where, "before", false));
  const YAML::Node dates = node["dates"];
  if (!dates || !dates.IsMap() || dates.size() == 0) {
    return where.Error("dates", "expected a mapping of date keys to days");
  }
  for (const auto& kv : dates) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const std::string field = absl::StrCat("dates.", key);
    AIGOV_ASSIGN_OR_RETURN(const std::string value,
                           Scalar(kv.second, where, field, true));
    if (value == "never") {
      r.dates[key] = std::nullopt;
    } else {
      AIGOV_ASSIGN_OR_RETURN(r.dates[key], ParseDay(value, where, field));
    }
  }
  return r;
}

absl::Status ParseFile(const CatalogFile& file, Catalog* catalog) {
  const Where where{file.name, ""};
  YAML::Node root;
  try {
    root = YAML::Load(file.text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        file.name, ":", e.mark.line + 1, ": invalid YAML: ", e.msg));
  }
  if (!root || root.IsNull()) return where.Error("", "empty file");
  AIGOV_RETURN_IF_ERROR(OnlyKeys(root, where, "", {"regimes", "obligations"}));
  const YAML::Node regimes = root["regimes"];
  if (regimes) {
    if (!regimes.IsSequence()) return where.Error("regimes", "expected a list");
    for (size_t i = 0; i < regimes.size(); ++i) {
      AIGOV_ASSIGN_OR_RETURN(Regime r, ParseRegime(regimes[i], where, i));
      catalog->regimes.push_back(std::move(r));
    }
  }
  const YAML::Node obligations = root["obligations"];
  if (obligations) {
    if (!obligations.IsSequence()) {
      return where.Error("obligations", "expected a list");
    }
    for (size_t i = 0; i < obligations.size(); ++i) {
      AIGOV_ASSIGN_OR_RETURN(Obligation o,
                             ParseObligation(obligations[i], where, i));
      catalog->obligations.push_back(std::move(o));
    }
  }
  return absl::OkStatus();
}

// What spans files: unique ids, regimes that agree on their date keys and
// chain by `before`, and date keys that every regime defines.
absl::Status CheckWhole(const Catalog& c) {
  if (c.regimes.empty()) {
    return absl::InvalidArgumentError("catalog: no regimes defined");
  }
  std::set<std::string> ids;
  for (const Regime& r : c.regimes) {
    if (!ids.insert(r.id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("catalog: regime ", r.id, " is defined twice"));
    }
  }
  const Regime& first = c.regimes.front();
  for (const Regime& r : c.regimes) {
    for (const auto& [key, day] : first.dates) {
      if (!r.dates.count(key)) {
        return absl::InvalidArgumentError(
            absl::StrCat("catalog: regime ", r.id, ": dates.", key,
                         ": missing (regime ", first.id, " defines it)"));
      }
    }
    for (const auto& [key, day] : r.dates) {
      if (!first.dates.count(key)) {
        return absl::InvalidArgumentError(
            absl::StrCat("catalog: regime ", first.id, ": dates.", key,
                         ": missing (regime ", r.id, " defines it)"));
      }
    }
    if (!r.before.empty()) {
      const Regime* prior = c.FindRegime(r.before);
      if (prior == nullptr || prior == &r) {
        return absl::InvalidArgumentError(
            absl::StrCat("catalog: regime ", r.id,
                         ": before: no other regime "
                         "named \"",
                         r.before, "\""));
      }
      if (!prior->before.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("catalog: regime ", r.id, ": before: ", r.before,
                         " has a before of its own; chains are one step long"));
      }
    }
  }
  std::set<std::string> seen;
  for (const Obligation& o : c.obligations) {
    const Where where{o.file, o.id};
    if (!seen.insert(o.id).second) {
      return where.Error("id", "defined twice");
    }
    if (!first.dates.count(o.applies_from)) {
      return where.Error("applies_from",
                         absl::StrCat("no regime date \"", o.applies_from,
                                      "\" (regimes define the keys)"));
    }
    for (size_t i = 0; i < o.applies_from_cases.size(); ++i) {
      if (!first.dates.count(o.applies_from_cases[i].date)) {
        return where.Error(absl::StrCat("applies_from_cases[", i, "].date"),
                           absl::StrCat("no regime date \"",
                                        o.applies_from_cases[i].date, "\""));
      }
    }
  }
  return absl::OkStatus();
}

#include "daemon/rules/catalog_data.inc"

}  // namespace

absl::Span<const char* const> PeriodSettings() { return kPeriodSettings; }

const Regime* Catalog::FindRegime(const std::string& id) const {
  for (const Regime& r : regimes) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const Obligation* Catalog::Find(const std::string& id) const {
  for (const Obligation& o : obligations) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

absl::StatusOr<Catalog> ParseCatalog(absl::Span<const CatalogFile> files) {
  Catalog c;
  for (const CatalogFile& f : files) AIGOV_RETURN_IF_ERROR(ParseFile(f, &c));
  AIGOV_RETURN_IF_ERROR(CheckWhole(c));
  return c;
}

absl::Span<const CatalogFile> EmbeddedCatalogFiles() {
  static const std::vector<CatalogFile>* const files = [] {
    auto* out = new std::vector<CatalogFile>();
    for (const auto& [name, text] : kEmbeddedFiles) {
      out->push_back({name, text});
    }
    return out;
  }();
  return *files;
}

absl::StatusOr<Catalog> EmbeddedCatalog() {
  return ParseCatalog(EmbeddedCatalogFiles());
}

absl::StatusOr<Catalog> LoadCatalogDir(const std::string& dir) {
  std::vector<CatalogFile> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".yaml") continue;
    std::ifstream in(entry.path());
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      return absl::FailedPreconditionError(
          absl::StrCat("catalog: cannot read ", entry.path().string()));
    }
    files.push_back({entry.path().string(), text.str()});
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("catalog: cannot list ", dir, ": ", ec.message()));
  }
  if (files.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("catalog: no *.yaml files in ", dir));
  }
  std::sort(files.begin(), files.end(),
            [](const CatalogFile& a, const CatalogFile& b) {
              return a.name < b.name;
            });
  return ParseCatalog(files);
}

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "medium";
}

std::string PeriodText(const Period& p) {
  switch (p.unit) {
    case Period::Unit::kHours:
      return absl::StrCat(p.count, "h");
    case Period::Unit::kDays:
      return absl::StrCat(p.count, "d");
    case Period::Unit::kWeeks:
      return absl::StrCat(p.count, "w");
    case Period::Unit::kMonths:
      return absl::StrCat(p.count, "mo");
    case Period::Unit::kConfig:
      return absl::StrCat("config:", p.config_key);
  }
  return "";
}

std::string ClockText(const Clock& c) {
  std::string out =
      absl::StrCat(PeriodText(c.period), " from ", c.start, " until ", c.stop);
  for (const ClockCase& k : c.cases) {
    absl::StrAppend(&out, "; ", PeriodText(k.period), " when ", k.when);
  }
  if (!c.extension_when.empty()) {
    absl::StrAppend(&out, "; +", PeriodText(c.extension), " when ",
                    c.extension_when);
  }
  return out;
}

}  // namespace aigov::rules
