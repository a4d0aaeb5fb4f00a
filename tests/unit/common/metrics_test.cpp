#include "common/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace medrtc::metrics {
namespace {

TEST(Metrics, RendersHelpTypeAndSamplesInTheTextFormat) {
  std::vector<Family> families;
  families.push_back(Family{"medrtc_rooms", "Rooms open now.", MetricType::kGauge, {{{}, 3}}, {}});
  families.push_back(Family{"medrtc_sign_ins_total",
                            "Sign-in attempts by outcome.",
                            MetricType::kCounter,
                            {{{{"outcome", "ok"}}, 5}, {{{"outcome", "bad_password"}}, 2}},
                            {}});
  std::string text = render(families, Exposition::kPrometheusText);
  EXPECT_EQ(text,
            "# HELP medrtc_rooms Rooms open now.\n"
            "# TYPE medrtc_rooms gauge\n"
            "medrtc_rooms 3\n"
            "# HELP medrtc_sign_ins_total Sign-in attempts by outcome.\n"
            "# TYPE medrtc_sign_ins_total counter\n"
            "medrtc_sign_ins_total{outcome=\"ok\"} 5\n"
            "medrtc_sign_ins_total{outcome=\"bad_password\"} 2\n");
}

TEST(Metrics, EscapesHelpAndLabelValues) {
  std::vector<Family> families;
  families.push_back(
      Family{"x", "a \\ b\nc \"q\"", MetricType::kGauge, {{{{"l", "back\\slash \"quoted\"\nline"}}, 1}}, {}});
  std::string text = render(families, Exposition::kPrometheusText);
  // HELP: backslash and newline escaped, quotes kept; label value: all three escaped.
  EXPECT_NE(text.find("# HELP x a \\\\ b\\nc \"q\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x{l=\"back\\\\slash \\\"quoted\\\"\\nline\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  Histogram h({0.1, 0.5, 1});
  h.observe(0.05);
  h.observe(0.1);  // `le`: equal to a bound counts in that bucket
  h.observe(0.7);
  h.observe(3);
  Family f{"medrtc_join_duration_seconds", "Join latency.", MetricType::kHistogram, {}, {}};
  f.histograms.push_back({{{"worker", "0"}}, h.snapshot()});
  std::string text = render({f}, Exposition::kPrometheusText);
  EXPECT_EQ(text,
            "# HELP medrtc_join_duration_seconds Join latency.\n"
            "# TYPE medrtc_join_duration_seconds histogram\n"
            "medrtc_join_duration_seconds_bucket{worker=\"0\",le=\"0.1\"} 2\n"
            "medrtc_join_duration_seconds_bucket{worker=\"0\",le=\"0.5\"} 2\n"
            "medrtc_join_duration_seconds_bucket{worker=\"0\",le=\"1\"} 3\n"
            "medrtc_join_duration_seconds_bucket{worker=\"0\",le=\"+Inf\"} 4\n"
            "medrtc_join_duration_seconds_sum{worker=\"0\"} 3.85\n"
            "medrtc_join_duration_seconds_count{worker=\"0\"} 4\n");
}

TEST(Metrics, OpenMetricsNamesCounterFamiliesWithoutTotalAndEnds) {
  Family f{"medrtc_joins_total", "Joins.", MetricType::kCounter, {{{}, 7}}, {}};
  std::string text = render({f}, Exposition::kOpenMetrics);
  EXPECT_EQ(text,
            "# HELP medrtc_joins Joins.\n"
            "# TYPE medrtc_joins counter\n"
            "medrtc_joins_total 7\n"
            "# EOF\n");
  EXPECT_EQ(negotiate("application/openmetrics-text;version=1.0.0,text/plain;q=0.5"), Exposition::kOpenMetrics);
  EXPECT_EQ(negotiate("text/plain"), Exposition::kPrometheusText);
  EXPECT_EQ(negotiate(""), Exposition::kPrometheusText);
  EXPECT_EQ(contentType(Exposition::kPrometheusText), "text/plain; version=0.0.4; charset=utf-8");
}

TEST(Metrics, RegistryReturnsOneInstrumentPerNameAndLabels) {
  Registry r;
  Counter& ok = r.counter("t_total", "T.", {{"outcome", "ok"}});
  Counter& again = r.counter("t_total", "T.", {{"outcome", "ok"}});
  Counter& bad = r.counter("t_total", "T.", {{"outcome", "bad"}});
  EXPECT_EQ(&ok, &again);
  EXPECT_NE(&ok, &bad);
  ok.add();
  ok.add(2);
  bad.add();
  auto families = r.collect();
  ASSERT_EQ(families.size(), 1u);
  ASSERT_EQ(families[0].samples.size(), 2u);
  EXPECT_EQ(families[0].samples[0].value, 3);
  EXPECT_EQ(families[0].samples[1].value, 1);
  EXPECT_THROW(r.gauge("t_total", "T."), std::logic_error);
}

TEST(Metrics, MergeJoinsFamiliesOfOneName) {
  std::vector<Family> out;
  merge(out, Family{"w", "W.", MetricType::kGauge, {{{{"worker", "0"}}, 1}}, {}});
  merge(out, Family{"w", "W.", MetricType::kGauge, {{{{"worker", "1"}}, 2}}, {}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].samples.size(), 2u);
}

TEST(Metrics, OwnedCounterIsReadableFromAnotherThread) {
  OwnedCounter c;
  std::thread writer([&c] {
    for (int i = 0; i < 1000; ++i) {
      c.add(2);
    }
  });
  writer.join();
  EXPECT_EQ(c.value(), 2000u);
}

}  // namespace
}  // namespace medrtc::metrics
