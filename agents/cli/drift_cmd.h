// aigovctl's drift commands: `drift status` (where each feature of a model
// version stands after its last evaluated window) and `drift history` (every
// state transition, in order). Each returns the process exit status (0 ok,
// 1 the request failed, 2 a bad argument) and prints errors to stderr.
#pragma once

#include <string>

namespace aigov::cli {

// aigovctl drift status --model ID@VERSION [--json]. The JSON is
// {"model_id", "version", "dataset_state", "last_window_start", "features":
// [{"feature", "state", "since", "n", "psi", "js_distance", "hellinger",
// "wasserstein", "ks", "psi_p_value", "chi2_p_value" (categorical only),
// "null_rate", "out_of_range_share", "unseen_share"}]}: times RFC 3339 (null
// before any), a score that could not be computed null.
int DriftStatus(const std::string& target, const std::string& model, bool json);

// aigovctl drift history --model ID@VERSION [--feature F] [--json]. The JSON
// is [{"feature", "from", "to", "window_start", "sequence"}], `sequence`
// being the DriftEvaluation entry's.
int DriftHistory(const std::string& target, const std::string& model,
                 const std::string& feature, bool json);

}  // namespace aigov::cli
