// A console reporter that, after the usual table, prints each subject's throughput as a ratio
// of its baseline measured in the same run (the machine is shared: ratios hold, times drift).
#ifndef VELLUM_BENCH_RATIO_REPORTER_H_
#define VELLUM_BENCH_RATIO_REPORTER_H_

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vellum::bench {

// (subject benchmark name, baseline benchmark name) pairs, compared by items/s.
inline std::vector<std::pair<std::string, std::string>>& RatioPairs() {
  static std::vector<std::pair<std::string, std::string>> pairs;
  return pairs;
}

// Declare at namespace scope beside the benchmarks: `RatioPair p{"BM_X/1", "BM_Baseline/1"};`
struct RatioPair {
  RatioPair(std::string subject, std::string baseline) {
    RatioPairs().emplace_back(std::move(subject), std::move(baseline));
  }
};

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(std::vector<std::pair<std::string, std::string>> pairs)
      : pairs_(std::move(pairs)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) rate_[run.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-60s %14s %14s %8s\n", "subject vs baseline", "subject/s", "baseline/s",
                "ratio");
    for (const auto& [subject, baseline] : pairs_) {
      auto s = rate_.find(subject), b = rate_.find(baseline);
      if (s == rate_.end() || b == rate_.end()) continue;
      std::printf("%-60s %14.0f %14.0f %7.2fx\n", (subject + " vs " + baseline).c_str(), s->second,
                  b->second, s->second / b->second);
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::map<std::string, double> rate_;
};

}  // namespace vellum::bench

#endif  // VELLUM_BENCH_RATIO_REPORTER_H_
