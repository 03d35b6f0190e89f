#include "agents/cli/drift_cmd.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "google/protobuf/util/time_util.h"

#include "agents/cli/client.h"
#include "agents/cli/csv_table.h"
#include "aigov/v1/monitoring_service.grpc.pb.h"
#include "daemon/monitoring/binning.h"
#include "nlohmann/json.hpp"

namespace aigov::cli {
namespace {

using Json = nlohmann::ordered_json;

// "OK", "WARN", "ALERT", "INSUFFICIENT_DATA".
std::string StateName(aigov::v1::DriftState s) {
  std::string name = aigov::v1::DriftState_Name(s);
  const std::string prefix = "DRIFT_STATE_";
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return name;
}

Json Time(const google::protobuf::Timestamp& t, bool present) {
  if (!present) return nullptr;
  return google::protobuf::util::TimeUtil::ToString(t);
}

Json Score(bool present, double value) {
  return present ? Json(value) : Json(nullptr);
}

std::string Text(const Json& j) {
  if (j.is_null()) return "-";
  if (j.is_number_float()) return absl::StrFormat("%.4g", j.get<double>());
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

}  // namespace

int DriftStatus(const std::string& target, const std::string& model,
                bool json) {
  aigov::v1::GetDriftStatusRequest req;
  if (!SplitModelFlag(model, req.mutable_model_id(), req.mutable_version())) {
    return 2;
  }
  auto stub = aigov::v1::MonitoringService::NewStub(MakeChannel(target));
  aigov::v1::GetDriftStatusResponse resp;
  const grpc::Status s = stub->GetDriftStatus(Context().get(), req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
    return 1;
  }
  const bool evaluated = resp.has_last_evaluation();
  const aigov::v1::DriftEvaluation& ev = resp.last_evaluation();
  Json out;
  out["model_id"] = resp.model_id();
  out["version"] = resp.version();
  out["dataset_state"] =
      StateName(evaluated ? ev.dataset_state()
                          : aigov::v1::DRIFT_STATE_INSUFFICIENT_DATA);
  out["last_window_start"] = Time(ev.window_start(), evaluated);
  Json features = Json::array();
  for (const aigov::v1::FeatureEvaluation& f : ev.features()) {
    Json j;
    j["feature"] = f.feature();
    j["state"] = StateName(f.state());
    j["since"] = Time(f.since(), f.has_since());
    j["n"] = f.n();
    j["psi"] = Score(f.has_psi(), f.psi());
    j["js_distance"] = Score(f.has_js_distance(), f.js_distance());
    j["hellinger"] = Score(f.has_hellinger(), f.hellinger());
    j["wasserstein"] = Score(f.has_wasserstein(), f.wasserstein());
    j["ks"] = Score(f.has_ks(), f.ks());
    j["psi_p_value"] = Score(f.has_psi_p_value(), f.psi_p_value());
    if (f.has_chi2_p_value() || f.has_unseen_share()) {  // categorical
      j["chi2_p_value"] = Score(f.has_chi2_p_value(), f.chi2_p_value());
    }
    j["null_rate"] = Score(f.has_null_rate(), f.null_rate());
    j["out_of_range_share"] =
        f.has_out_of_range_share() ? Json(f.out_of_range_share()) : Json(0.0);
    j["unseen_share"] =
        f.has_unseen_share() ? Json(f.unseen_share()) : Json(0.0);
    features.push_back(std::move(j));
  }
  out["features"] = std::move(features);
  Json open = Json::array();
  for (const auto& w : resp.open_windows()) open.push_back(Time(w, true));
  out["open_windows"] = std::move(open);
  out["late_reports"] = resp.late_reports();
  if (json) {
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  std::printf("%s@%s  dataset %s", resp.model_id().c_str(),
              resp.version().c_str(),
              out["dataset_state"].get<std::string>().c_str());
  if (evaluated) {
    std::printf(
        " (since %s)  last window %s  (evaluation at sequence %llu)",
        Text(Time(ev.dataset_since(), true)).c_str(),
        Text(out["last_window_start"]).c_str(),
        static_cast<unsigned long long>(resp.last_evaluation_sequence()));
  } else {
    std::printf("  no window evaluated yet");
  }
  std::printf("\n");
  if (resp.open_windows_size() > 0 || resp.late_reports() > 0) {
    std::vector<std::string> starts;
    for (const Json& w : out["open_windows"]) starts.push_back(Text(w));
    std::printf(
        "open windows %d%s%s (each evaluated 5 min after it ends), late "
        "reports %llu\n",
        resp.open_windows_size(), starts.empty() ? "" : ", from ",
        absl::StrJoin(starts, ", ").c_str(),
        static_cast<unsigned long long>(resp.late_reports()));
  }
  if (!evaluated) return 0;
  std::printf("%-24s %-17s %-20s %8s %8s %8s %8s %10s\n", "FEATURE", "STATE",
              "SINCE", "N", "PSI", "P", "JS", "NULLS");
  for (const Json& f : out["features"]) {
    std::printf("%-24s %-17s %-20s %8s %8s %8s %8s %10s\n",
                f["feature"].get<std::string>().c_str(),
                f["state"].get<std::string>().c_str(), Text(f["since"]).c_str(),
                Text(f["n"]).c_str(), Text(f["psi"]).c_str(),
                Text(f["psi_p_value"]).c_str(), Text(f["js_distance"]).c_str(),
                Text(f["null_rate"]).c_str());
  }
  return 0;
}

int DriftHistory(const std::string& target, const std::string& model,
                 const std::string& feature, bool json) {
  aigov::v1::ListDriftEvaluationsRequest req;
  if (!SplitModelFlag(model, req.mutable_model_id(), req.mutable_version())) {
    return 2;
  }
  req.set_feature(feature);
  req.set_page_size(1000);
  auto stub = aigov::v1::MonitoringService::NewStub(MakeChannel(target));
  Json transitions = Json::array();
  for (;;) {
    aigov::v1::ListDriftEvaluationsResponse resp;
    const grpc::Status s =
        stub->ListDriftEvaluations(Context().get(), req, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
      return 1;
    }
    for (const aigov::v1::DriftEvaluationEntry& e : resp.evaluations()) {
      for (const aigov::v1::FeatureEvaluation& f : e.evaluation().features()) {
        if (f.previous_state() == f.state()) continue;
        Json t;
        t["feature"] = f.feature();
        t["from"] = StateName(f.previous_state());
        t["to"] = StateName(f.state());
        t["window_start"] = Time(e.evaluation().window_start(), true);
        t["sequence"] = e.sequence();
        transitions.push_back(std::move(t));
      }
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  if (json) {
    std::printf("%s\n", transitions.dump().c_str());
    return 0;
  }
  if (transitions.empty()) {
    std::printf("no state transition of %s%s%s\n", model.c_str(),
                feature.empty() ? "" : " feature ", feature.c_str());
  }
  for (const Json& t : transitions) {
    std::printf("%s  %-24s %s -> %s  (sequence %s)\n",
                t["window_start"].get<std::string>().c_str(),
                t["feature"].get<std::string>().c_str(),
                t["from"].get<std::string>().c_str(),
                t["to"].get<std::string>().c_str(),
                Text(t["sequence"]).c_str());
  }
  return 0;
}

namespace {

absl::StatusOr<std::vector<CsvColumn>> ReadCsv(
    const std::string& path, const std::set<std::string>& categorical) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream text;
  text << in.rdbuf();
  return ParseCsv(text.str(), path, categorical);
}

// The non-null cells of a categorical column.
std::vector<std::string> Present(const CsvColumn& c) {
  std::vector<std::string> out;
  for (const auto& t : c.texts) {
    if (t) out.push_back(*t);
  }
  return out;
}

uint64_t Nulls(const CsvColumn& c) {
  if (c.numeric) {
    return static_cast<uint64_t>(
        std::count_if(c.numbers.begin(), c.numbers.end(),
                      [](double x) { return std::isnan(x); }));
  }
  return static_cast<uint64_t>(
      std::count(c.texts.begin(), c.texts.end(), std::nullopt));
}

// Counts of the non-null `numbers` in the bins of `edges`.
std::vector<uint64_t> NumericCounts(absl::Span<const double> edges,
                                    const std::vector<double>& numbers) {
  std::vector<uint64_t> counts(edges.size() + 1);
  for (double x : numbers) {
    if (!std::isnan(x)) ++counts[monitoring::NumericBin(edges, x)];
  }
  return counts;
}

void CountInto(const CsvColumn& c, const aigov::v1::ReferenceFeature& ref,
               const monitoring::CategoricalReference* categories,
               aigov::v1::WindowFeature* out) {
  out->set_name(c.name);
  out->set_null_count(Nulls(c));
  if (ref.has_numeric()) {
    for (uint64_t n : NumericCounts(ref.numeric().edges(), c.numbers)) {
      out->add_counts(n);
    }
  } else {
    std::vector<uint64_t> counts(categories->categories.size() + 2);
    for (const std::string& t : Present(c)) ++counts[categories->BinOf(t)];
    for (uint64_t n : counts) out->add_counts(n);
  }
}

}  // namespace

int DriftProfile(const ProfileOptions& o) {
  aigov::v1::ReferenceProfile profile;
  if (!SplitModelFlag(o.model, profile.mutable_model_id(),
                      profile.mutable_version())) {
    return 2;
  }
  absl::Duration window;
  int64_t seconds = 0;
  if (!absl::ParseDuration(o.window, &window) ||
      (seconds = absl::ToInt64Seconds(window)) < 1 ||
      window != absl::Seconds(seconds)) {
    std::fprintf(stderr,
                 "error: --window: expected whole seconds such as 1h or 900s, "
                 "got \"%s\"\n",
                 o.window.c_str());
    return 2;
  }
  profile.mutable_window()->set_seconds(seconds);
  int64_t start = 0;
  if (!o.count_csv.empty()) {
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, o.window_start, &t, &err)) {
      std::fprintf(stderr,
                   "error: --window-start: expected an RFC 3339 time, got "
                   "\"%s\"\n",
                   o.window_start.c_str());
      return 2;
    }
    start = absl::ToUnixSeconds(t);
  }
  auto columns = ReadCsv(o.csv, o.categorical);
  if (!columns.ok()) {
    std::fprintf(stderr, "error: %s\n",
                 std::string(columns.status().message()).c_str());
    return 1;
  }
  std::set<std::string> names;
  for (const CsvColumn& c : *columns) {
    if (!names.insert(c.name).second) {
      std::fprintf(stderr,
                   "error: %s: column \"%s\" appears twice in the header\n",
                   o.csv.c_str(), c.name.c_str());
      return 1;
    }
  }
  std::vector<monitoring::CategoricalReference> categories(columns->size());
  for (size_t i = 0; i < columns->size(); ++i) {
    const CsvColumn& c = (*columns)[i];
    auto* f = profile.add_features();
    f->set_name(c.name);
    f->set_null_count(Nulls(c));
    f->set_critical(o.critical.count(c.name) > 0);
    f->set_excluded(o.exclude.count(c.name) > 0);
    if (c.numeric) {
      std::vector<double> finite;
      for (double x : c.numbers) {
        if (std::isfinite(x)) finite.push_back(x);
      }
      std::sort(finite.begin(), finite.end());
      auto* bins = f->mutable_numeric();
      const std::vector<double> edges = monitoring::NumericEdges(finite);
      for (double e : edges) bins->add_edges(e);
      for (uint64_t n : NumericCounts(edges, c.numbers)) bins->add_counts(n);
      bins->set_std(monitoring::StandardDeviation(finite));
    } else {
      categories[i] = monitoring::TopCategories(Present(c), o.max_categories);
      auto* bins = f->mutable_categorical();
      for (const std::string& name : categories[i].categories) {
        bins->add_categories(name);
      }
      for (uint64_t n : categories[i].counts) bins->add_counts(n);
    }
  }
  Json reference = {{"kind", "ReferenceProfile"}};
  reference.update(Json::parse(ToJson(profile)));
  if (o.count_csv.empty()) {
    std::printf("%s\n", reference.dump(2).c_str());
    return 0;
  }
  std::set<std::string> forced;
  for (const auto& f : profile.features()) {
    if (f.has_categorical()) forced.insert(f.name());
  }
  auto counted = ReadCsv(o.count_csv, forced);
  if (!counted.ok()) {
    std::fprintf(stderr, "error: %s\n",
                 std::string(counted.status().message()).c_str());
    return 1;
  }
  aigov::v1::WindowProfile w;
  w.set_model_id(profile.model_id());
  w.set_version(profile.version());
  w.mutable_window_start()->set_seconds(start);
  for (const CsvColumn& c : *counted) {
    for (int i = 0; i < profile.features_size(); ++i) {
      if (profile.features(i).name() != c.name) continue;
      if (profile.features(i).has_numeric() != c.numeric) {
        std::fprintf(stderr,
                     "error: %s: column \"%s\" is not numeric in every row, "
                     "as in the reference\n",
                     o.count_csv.c_str(), c.name.c_str());
        return 1;
      }
      CountInto(c, profile.features(i), &categories[static_cast<size_t>(i)],
                w.add_features());
    }
  }
  Json window_doc = {{"kind", "WindowProfile"}};
  window_doc.update(Json::parse(ToJson(w)));
  std::printf("%s\n", Json::array({reference, window_doc}).dump(2).c_str());
  return 0;
}

}  // namespace aigov::cli
