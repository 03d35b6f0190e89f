#include "daemon/metrics/exposition.h"

#include <cstdlib>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace aigov::metrics {
namespace {

TEST(ExpositionWriterTest, WritesFamiliesAndEscapes) {
  std::string out;
  ExpositionWriter w(&out);
  w.Family("aigov_x", "A \\ help\nline.", ExpositionWriter::Type::kGauge);
  w.Sample({{"a", "plain"}, {"b", "q\"uote\\back\nnl"}}, 0.1);
  w.Sample({}, 3);
  w.Family("aigov_y_total", "Counted.", ExpositionWriter::Type::kCounter);
  w.Sample({{"k", ""}}, 1e21);
  EXPECT_EQ(out,
            "# HELP aigov_x A \\\\ help\\nline.\n"
            "# TYPE aigov_x gauge\n"
            "aigov_x{a=\"plain\",b=\"q\\\"uote\\\\back\\nnl\"} 0.1\n"
            "aigov_x 3\n"
            "# HELP aigov_y_total Counted.\n"
            "# TYPE aigov_y_total counter\n"
            "aigov_y_total{k=\"\"} 1e+21\n");
}

TEST(ExpositionWriterTest, ValuesReadBackExactly) {
  for (double v : {0.0, -0.0, 1.0, 0.1, 1.0 / 3.0, 1e-300, 123456789012.0,
                   std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::denorm_min()}) {
    std::string s;
    AppendValue(v, &s);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
  std::string s;
  AppendValue(std::numeric_limits<double>::quiet_NaN(), &s);
  s.push_back(' ');
  AppendValue(std::numeric_limits<double>::infinity(), &s);
  s.push_back(' ');
  AppendValue(-std::numeric_limits<double>::infinity(), &s);
  EXPECT_EQ(s, "NaN +Inf -Inf");
}

}  // namespace
}  // namespace aigov::metrics
