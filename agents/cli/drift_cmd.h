// aigovctl's drift commands: `drift status` (where each feature of a model
// version stands after its last evaluated window) and `drift history` (every
// state transition, in order). Each returns the process exit status (0 ok,
// 1 the request failed, 2 a bad argument) and prints errors to stderr.
#pragma once

#include <set>
#include <string>

namespace aigov::cli {

// aigovctl drift status --model ID@VERSION [--json]. The JSON is
// {"model_id", "version", "dataset_state", "last_window_start", "features":
// [{"feature", "state", "since", "n", "psi", "js_distance", "hellinger",
// "wasserstein", "ks", "psi_p_value", "chi2_p_value" (categorical only),
// "null_rate", "out_of_range_share", "unseen_share"}], "open_windows": [start,
// ...] (received, not yet evaluated; each is evaluated 5 minutes after it
// ends), "late_reports"}: times RFC 3339 (null before any), a score that
// could not be computed null.
int DriftStatus(const std::string& target, const std::string& model, bool json);

// aigovctl drift history --model ID@VERSION [--feature F] [--json]. The JSON
// is [{"feature", "from", "to", "window_start", "sequence"}], `sequence`
// being the DriftEvaluation entry's.
int DriftHistory(const std::string& target, const std::string& model,
                 const std::string& feature, bool json);

// What `drift profile` computes (no daemon involved).
struct ProfileOptions {
  std::string csv;    // the reference data
  std::string model;  // ID@VERSION
  std::string window = "1h";
  std::set<std::string> categorical;
  std::set<std::string> critical;
  std::set<std::string> exclude;
  size_t max_categories = 20;
  // When set: also count this CSV in the reference's bins, as the window
  // starting at `window_start` (RFC 3339).
  std::string count_csv;
  std::string window_start;
};

// aigovctl drift profile --csv FILE --model ID@VERSION [...]: prints a
// ReferenceProfile document (JSON, `kind` included, ready for `apply -f`)
// binned as daemon/monitoring/binning.h defines; with --count, a JSON list
// of that document and the WindowProfile of the second file. 0 ok, 1 a file
// could not be read or parsed, 2 a bad argument.
int DriftProfile(const ProfileOptions& options);

}  // namespace aigov::cli
