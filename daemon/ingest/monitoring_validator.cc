#include "daemon/ingest/monitoring_validator.h"

#include <cmath>
#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/status_macros.h"
#include "daemon/ingest/event_validator.h"

namespace aigov::ingest {
namespace {

absl::Status Invalid(absl::string_view path, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", reason));
}

std::string Field(absl::string_view path, absl::string_view name) {
  return absl::StrCat(path, ".", name);
}

bool Printable(absl::string_view name) {
  if (name.empty() || name.size() > kMaxIdLength) return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

absl::Status ValidateModelRef(absl::string_view model_id,
                              absl::string_view version,
                              absl::string_view path) {
  AIGOV_RETURN_IF_ERROR(ValidateId(model_id, Field(path, "model_id")));
  return ValidateId(version, Field(path, "version"));
}

template <typename Counts>
absl::Status ValidateCounts(const Counts& counts, absl::string_view path) {
  for (int i = 0; i < counts.size(); ++i) {
    if (counts[i] > kMaxBinCount) {
      return Invalid(path, absl::StrCat("counts[", i, "] = ", counts[i],
                                        " exceeds the largest count of one "
                                        "report, 2^48"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateShare(const std::optional<double>& v,
                           absl::string_view path, bool zero_allowed) {
  if (!v) return absl::OkStatus();
  if (!std::isfinite(*v) || *v > 1 || *v < 0 || (!zero_allowed && *v == 0)) {
    return Invalid(
        path, absl::StrCat("expected a number in ",
                           zero_allowed ? "[0, 1]" : "(0, 1]", ", got ", *v));
  }
  return absl::OkStatus();
}

template <typename T>
std::optional<T> Opt(bool has, T value) {
  return has ? std::optional<T>(value) : std::nullopt;
}

absl::Status ValidateNumeric(const aigov::v1::NumericBins& b,
                             absl::string_view path) {
  const std::string edges = Field(path, "edges");
  if (b.edges().empty()) {
    return Invalid(edges,
                   "at least one edge required (the agent sends the "
                   "reference min, deciles and max)");
  }
  if (b.edges().size() > kMaxEdges) {
    return Invalid(edges, absl::StrCat("at most ", kMaxEdges, " edges, got ",
                                       b.edges().size()));
  }
  for (int i = 0; i < b.edges().size(); ++i) {
    if (!std::isfinite(b.edges(i))) {
      return Invalid(edges, absl::StrCat("edges[", i, "] is not finite"));
    }
    if (i > 0 && !(b.edges(i) > b.edges(i - 1))) {
      return Invalid(edges, absl::StrCat("not strictly increasing (edges[", i,
                                         "] = ", b.edges(i), " after edges[",
                                         i - 1, "] = ", b.edges(i - 1), ")"));
    }
  }
  const int bins = b.edges().size() + 1;
  if (b.counts().size() != bins) {
    return Invalid(Field(path, "counts"),
                   absl::StrCat("expected ", bins,
                                " counts (one per bin: below the first edge, "
                                "between edges, from the last edge), got ",
                                b.counts().size()));
  }
  AIGOV_RETURN_IF_ERROR(ValidateCounts(b.counts(), Field(path, "counts")));
  if (!std::isfinite(b.std()) || b.std() < 0) {
    return Invalid(Field(path, "std"),
                   absl::StrCat("expected a finite standard deviation >= 0, "
                                "got ",
                                b.std()));
  }
  return absl::OkStatus();
}

absl::Status ValidateCategorical(const aigov::v1::CategoricalBins& b,
                                 absl::string_view path) {
  const std::string categories = Field(path, "categories");
  if (b.categories().empty()) {
    return Invalid(categories, "at least one category required");
  }
  if (b.categories().size() > kMaxCategories) {
    return Invalid(categories,
                   absl::StrCat("at most ", kMaxCategories,
                                " categories (the top K; the rest go in "
                                "`other`), got ",
                                b.categories().size()));
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (int i = 0; i < b.categories().size(); ++i) {
    const std::string& c = b.categories(i);
    if (c.empty() || c.size() > kMaxIdLength) {
      return Invalid(categories, absl::StrCat("categories[", i, "] must be 1-",
                                              kMaxIdLength, " characters"));
    }
    if (!seen.insert(c).second) {
      return Invalid(categories, absl::StrCat("categories[", i, "] \"", c,
                                              "\" appears twice"));
    }
  }
  const int bins = b.categories().size() + 2;
  if (b.counts().size() != bins) {
    return Invalid(Field(path, "counts"),
                   absl::StrCat("expected ", bins,
                                " counts (one per category, then other and "
                                "unseen), got ",
                                b.counts().size()));
  }
  return ValidateCounts(b.counts(), Field(path, "counts"));
}

absl::Status ValidateWindowStart(const aigov::v1::WindowProfile& w,
                                 absl::string_view path, absl::Time now) {
  return ValidateEventTime(w.window_start(), w.has_window_start(),
                           /*required=*/true, Field(path, "window_start"), now);
}

}  // namespace

std::string FeaturePath(absl::string_view path, int index,
                        absl::string_view name) {
  if (Printable(name)) return absl::StrCat(path, ".features[\"", name, "\"]");
  return absl::StrCat(path, ".features[", index, "]");
}

absl::Status ValidateDriftThresholds(const aigov::v1::DriftThresholds& t,
                                     absl::string_view path) {
  const auto positive = [&](bool has, double v,
                            absl::string_view name) -> absl::Status {
    if (has && (!std::isfinite(v) || v <= 0)) {
      return Invalid(Field(path, name),
                     absl::StrCat("expected a finite number > 0, got ", v));
    }
    return absl::OkStatus();
  };
  AIGOV_RETURN_IF_ERROR(positive(t.has_psi_warn(), t.psi_warn(), "psi_warn"));
  AIGOV_RETURN_IF_ERROR(
      positive(t.has_psi_alert(), t.psi_alert(), "psi_alert"));
  if (t.has_psi_warn() && t.has_psi_alert() && t.psi_alert() < t.psi_warn()) {
    return Invalid(Field(path, "psi_alert"),
                   absl::StrCat("must be at least psi_warn (", t.psi_warn(),
                                "), got ", t.psi_alert()));
  }
  AIGOV_RETURN_IF_ERROR(ValidateShare(Opt(t.has_p_value(), t.p_value()),
                                      Field(path, "p_value"), false));
  AIGOV_RETURN_IF_ERROR(
      ValidateShare(Opt(t.has_clear_factor(), t.clear_factor()),
                    Field(path, "clear_factor"), false));
  AIGOV_RETURN_IF_ERROR(
      ValidateShare(Opt(t.has_dataset_alert_share(), t.dataset_alert_share()),
                    Field(path, "dataset_alert_share"), false));
  if (t.has_min_samples() && t.has_alert_min_samples() &&
      t.alert_min_samples() < t.min_samples()) {
    return Invalid(
        Field(path, "alert_min_samples"),
        absl::StrCat("must be at least min_samples (", t.min_samples(),
                     "), got ", t.alert_min_samples()));
  }
  if (t.has_alert_windows() && t.alert_windows() == 0) {
    return Invalid(Field(path, "alert_windows"), "must be at least 1");
  }
  if (t.has_clear_windows() && t.clear_windows() == 0) {
    return Invalid(Field(path, "clear_windows"), "must be at least 1");
  }
  return absl::OkStatus();
}

absl::Status ValidateReferenceProfile(const aigov::v1::ReferenceProfile& p,
                                      absl::string_view path) {
  AIGOV_RETURN_IF_ERROR(ValidateModelRef(p.model_id(), p.version(), path));
  if (p.has_window()) {
    const google::protobuf::Duration& w = p.window();
    const absl::Duration d =
        absl::Seconds(w.seconds()) + absl::Nanoseconds(w.nanos());
    if (w.nanos() != 0 || d < kMinWindow || d > kMaxWindow) {
      return Invalid(Field(path, "window"),
                     absl::StrCat("expected whole seconds from 1s to 168h, "
                                  "got ",
                                  absl::FormatDuration(d)));
    }
  }
  AIGOV_RETURN_IF_ERROR(
      ValidateDriftThresholds(p.thresholds(), Field(path, "thresholds")));
  if (p.features().empty()) {
    return Invalid(Field(path, "features"), "at least one feature required");
  }
  if (p.features().size() > kMaxFeatures) {
    return Invalid(Field(path, "features"),
                   absl::StrCat("at most ", kMaxFeatures, " features, got ",
                                p.features().size()));
  }
  absl::flat_hash_set<absl::string_view> names;
  for (int i = 0; i < p.features().size(); ++i) {
    const aigov::v1::ReferenceFeature& f = p.features(i);
    const std::string fp = FeaturePath(path, i, f.name());
    AIGOV_RETURN_IF_ERROR(ValidateId(f.name(), Field(fp, "name")));
    if (!names.insert(f.name()).second) {
      return Invalid(Field(fp, "name"), "appears twice in the profile");
    }
    switch (f.bins_case()) {
      case aigov::v1::ReferenceFeature::kNumeric:
        AIGOV_RETURN_IF_ERROR(
            ValidateNumeric(f.numeric(), Field(fp, "numeric")));
        break;
      case aigov::v1::ReferenceFeature::kCategorical:
        AIGOV_RETURN_IF_ERROR(
            ValidateCategorical(f.categorical(), Field(fp, "categorical")));
        break;
      case aigov::v1::ReferenceFeature::BINS_NOT_SET:
        return Invalid(fp, "one of numeric or categorical is required");
    }
    if (f.null_count() > kMaxBinCount) {
      return Invalid(Field(fp, "null_count"), "exceeds 2^48");
    }
    AIGOV_RETURN_IF_ERROR(
        ValidateDriftThresholds(f.thresholds(), Field(fp, "thresholds")));
    if (f.thresholds().has_dataset_alert_share()) {
      return Invalid(Field(fp, "thresholds.dataset_alert_share"),
                     "applies to the whole model version only: set it in "
                     "the profile's thresholds");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateWindowProfile(const aigov::v1::WindowProfile& w,
                                   absl::string_view path, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(ValidateModelRef(w.model_id(), w.version(), path));
  AIGOV_RETURN_IF_ERROR(ValidateWindowStart(w, path, now));
  if (w.features().empty()) {
    return Invalid(Field(path, "features"), "at least one feature required");
  }
  if (w.features().size() > kMaxFeatures) {
    return Invalid(Field(path, "features"),
                   absl::StrCat("at most ", kMaxFeatures, " features, got ",
                                w.features().size()));
  }
  absl::flat_hash_set<absl::string_view> names;
  for (int i = 0; i < w.features().size(); ++i) {
    const aigov::v1::WindowFeature& f = w.features(i);
    const std::string fp = FeaturePath(path, i, f.name());
    AIGOV_RETURN_IF_ERROR(ValidateId(f.name(), Field(fp, "name")));
    if (!names.insert(f.name()).second) {
      return Invalid(Field(fp, "name"), "appears twice in the report");
    }
    AIGOV_RETURN_IF_ERROR(ValidateCounts(f.counts(), Field(fp, "counts")));
    if (f.null_count() > kMaxBinCount) {
      return Invalid(Field(fp, "null_count"), "exceeds 2^48");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePerformanceSample(const aigov::v1::PerformanceSample& s,
                                       absl::string_view path, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(ValidateModelRef(s.model_id(), s.version(), path));
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(s.window_start(),
                                          s.has_window_start(), true,
                                          Field(path, "window_start"), now));
  AIGOV_RETURN_IF_ERROR(ValidateId(s.metric(), Field(path, "metric")));
  if (!s.slice().empty()) {
    AIGOV_RETURN_IF_ERROR(ValidateId(s.slice(), Field(path, "slice")));
  }
  if (!std::isfinite(s.value())) {
    return Invalid(Field(path, "value"), "must be a finite number");
  }
  return absl::OkStatus();
}

absl::Status ValidateDriftScore(const aigov::v1::DriftScore& s,
                                absl::string_view path, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(ValidateModelRef(s.model_id(), s.version(), path));
  AIGOV_RETURN_IF_ERROR(ValidateEventTime(s.window_start(),
                                          s.has_window_start(), true,
                                          Field(path, "window_start"), now));
  AIGOV_RETURN_IF_ERROR(ValidateId(s.feature(), Field(path, "feature")));
  AIGOV_RETURN_IF_ERROR(ValidateId(s.method(), Field(path, "method")));
  if (!std::isfinite(s.value())) {
    return Invalid(Field(path, "value"), "must be a finite number");
  }
  if (!std::isfinite(s.threshold())) {
    return Invalid(Field(path, "threshold"), "must be a finite number");
  }
  return absl::OkStatus();
}

absl::Status ValidatePutReferenceProfile(
    const aigov::v1::PutReferenceProfileRequest& request) {
  AIGOV_RETURN_IF_ERROR(ValidateEventId(request.event_id()));
  if (!request.has_reference_profile()) {
    return Invalid("reference_profile", "required");
  }
  return ValidateReferenceProfile(request.reference_profile(),
                                  "reference_profile");
}

absl::Status ValidateReportWindow(
    const aigov::v1::ReportWindowsRequest& request, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(ValidateEventId(request.event_id()));
  if (!request.has_window_profile()) {
    return Invalid("window_profile", "required");
  }
  return ValidateWindowProfile(request.window_profile(), "window_profile", now);
}

absl::Status ValidateReportPerformance(
    const aigov::v1::ReportPerformanceRequest& request, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(ValidateEventId(request.event_id()));
  if (!request.has_performance_sample()) {
    return Invalid("performance_sample", "required");
  }
  return ValidatePerformanceSample(request.performance_sample(),
                                   "performance_sample", now);
}

absl::Status ValidateReportDriftScore(
    const aigov::v1::ReportDriftScoreRequest& request, absl::Time now) {
  AIGOV_RETURN_IF_ERROR(ValidateEventId(request.event_id()));
  if (!request.has_drift_score()) return Invalid("drift_score", "required");
  return ValidateDriftScore(request.drift_score(), "drift_score", now);
}

}  // namespace aigov::ingest
