// drift_stats_bench: one window of 1,000 numeric features x 12 bins scored
// against its reference (monitoring::Score, every statistic), timed next to
// vectorised NumPy and a per-feature SciPy loop on the same input
// (drift_numpy_bench.py, run with /usr/bin/python3). Prints the three
// medians and both ratios. Run on purpose:
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
#include "nlohmann/json.hpp"

namespace {

constexpr size_t kFeatures = 1000;
constexpr size_t kBins = 12;

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
  std::vector<aigov::monitoring::DriftScores> out(kFeatures);
  std::vector<double> times;
  double sink = 0;
  for (size_t rep = 0; rep < 200; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    for (size_t f = 0; f < kFeatures; ++f) out[f] = Score(counts[f]);
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
    sink += out[rep % kFeatures].psi;
  }
  std::sort(times.begin(), times.end());
  const double ours = times[times.size() / 2];
  std::printf(
      "aigov Score, 1000 features x 12 bins, every statistic: "
      "median %.3f ms (min %.3f)%s\n",
      ours, times.front(), sink < 0 ? "!" : "");

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
  const double numpy = NumPyFigure(text, "numpy_vectorised_ms");
  const double scipy = NumPyFigure(text, "scipy_loop_ms");
  std::printf("NumPy vectorised (same statistics but chi2): median %.3f ms\n",
              numpy);
  std::printf("SciPy per-feature loop: median %.1f ms\n", scipy);
  std::printf("ratios: NumPy / aigov = %.1fx, SciPy loop / aigov = %.0fx\n",
              numpy / ours, scipy / ours);
  return 0;
}
