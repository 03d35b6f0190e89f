// drift_stats_bench: one window of 1,000 numeric features x 12 bins scored
// against its reference, timed next to vectorised NumPy and a per-feature
// SciPy loop on the same input (drift_numpy_bench.py, run with
// /usr/bin/python3): the core four (PSI, JS, Hellinger, KS; the issue's
// < 0.1 ms) apart, then every statistic (< 1 ms). Prints the medians and the
// ratios. Run on purpose:
//   build/dev/tests/bench/drift_stats_bench
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "daemon/monitoring/drift_stats.h"
#include "hwy/targets.h"
#include "nlohmann/json.hpp"

namespace {

constexpr size_t kFeatures = 1000;
constexpr size_t kBins = 12;

// The median wall time of `reps` runs of `fn`, in milliseconds.
template <typename Fn>
double MedianMs(Fn fn, size_t reps = 400) {
  std::vector<double> times;
  for (size_t rep = 0; rep < reps; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

double NumPyFigure(const std::string& text, const std::string& key) {
  const size_t at = text.find(key + " ");
  return at == std::string::npos
             ? -1
             : std::strtod(text.c_str() + at + key.size() + 1, nullptr);
}

}  // namespace

int main() {
  std::mt19937_64 rng(20261130);
  std::vector<std::vector<double>> edges(kFeatures);
  std::vector<std::vector<uint64_t>> ref(kFeatures), win(kFeatures);
  std::vector<double> std_dev(kFeatures);
  for (size_t f = 0; f < kFeatures; ++f) {
    double e = -5;
    for (size_t i = 0; i + 1 < kBins; ++i) {
      e += 0.1 + static_cast<double>(rng() % 1000) / 100;
      edges[f].push_back(e);
    }
    for (size_t i = 0; i < kBins; ++i) {
      ref[f].push_back(1 + rng() % 5000);
      win[f].push_back(rng() % 500);
    }
    std_dev[f] = 1 + static_cast<double>(rng() % 100) / 10;
  }
  std::vector<aigov::monitoring::FeatureCounts> counts(kFeatures);
  for (size_t f = 0; f < kFeatures; ++f) {
    counts[f].type = aigov::monitoring::FeatureType::kNumeric;
    counts[f].edges = edges[f];
    counts[f].reference = ref[f];
    counts[f].window = win[f];
    counts[f].reference_std = std_dev[f];
  }
  double sink = 0;

  // The core four from the counts as the daemon holds them (one span per
  // feature): packing into vector lanes included.
  aigov::monitoring::CoreScores core;
  const auto core_four = [&] {
    aigov::monitoring::CoreBatch batch(kFeatures, kBins);
    for (size_t f = 0; f < kFeatures; ++f) {
      for (size_t b = 0; b < kBins; ++b) {
        batch.reference[b * batch.stride + f] = static_cast<double>(ref[f][b]);
        batch.window[b * batch.stride + f] = static_cast<double>(win[f][b]);
      }
    }
    ScoreCore(batch, &core);
    sink += core.psi[0];
  };
  const double core_packing = MedianMs(core_four);
  // The same on each target the kernel was compiled for, as a machine
  // without the widest vectors would run it.
  std::string per_target;
  for (const int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    char figure[64];
    std::snprintf(figure, sizeof figure, "%s%s %.4f",
                  per_target.empty() ? "" : ", ", hwy::TargetName(target),
                  MedianMs(core_four));
    per_target += figure;
  }
  hwy::SetSupportedTargetsForTest(0);
  // Everything (ScoreAll: the core four vectorised, Wasserstein, the PSI
  // p-value and the shares per feature).
  std::vector<aigov::monitoring::DriftScores> all;
  const double everything = MedianMs([&] {
    all = aigov::monitoring::ScoreAll(counts);
    sink += all[0].psi_p_value;
  });
  std::printf(
      "aigov, 1000 features x 12 bins (%s):\n"
      "  PSI, JS, Hellinger, KS (packing included): median %.4f ms\n"
      "  every statistic (ScoreAll):                median %.3f ms%s\n"
      "  core four by target (ms): %s\n",
      hwy::TargetName(hwy::SupportedAndGeneratedTargets().front()),
      core_packing, everything, sink < 0 ? "!" : "", per_target.c_str());

  const std::string input = "/tmp/drift_stats_bench_input.json";
  nlohmann::json j;
  j["edges"] = edges;
  j["reference"] = ref;
  j["window"] = win;
  j["std"] = std_dev;
  std::ofstream(input) << j.dump();
  const std::string command = std::string("/usr/bin/python3 ") +
                              AIGOV_SOURCE_DIR +
                              "/tests/bench/drift_numpy_bench.py " + input;
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string text;
  char buf[4096];
  for (size_t got; pipe && (got = std::fread(buf, 1, sizeof buf, pipe)) > 0;) {
    text.append(buf, got);
  }
  if (pipe == nullptr || ::pclose(pipe) != 0) {
    std::fprintf(stderr, "drift_stats_bench: the NumPy side failed\n");
    return 1;
  }
  const double numpy_core = NumPyFigure(text, "numpy_core_ms");
  const double numpy = NumPyFigure(text, "numpy_vectorised_ms");
  const double scipy = NumPyFigure(text, "scipy_loop_ms");
  std::printf(
      "NumPy vectorised: PSI, JS, Hellinger, KS median %.3f ms; "
      "every statistic median %.3f ms\n",
      numpy_core, numpy);
  std::printf("SciPy per-feature loop, every statistic: median %.1f ms\n",
              scipy);
  std::printf(
      "ratios: core four NumPy / aigov = %.1fx; every statistic NumPy / "
      "aigov = %.1fx, SciPy loop / aigov = %.0fx\n",
      numpy_core / core_packing, numpy / everything, scipy / everything);
  return 0;
}
