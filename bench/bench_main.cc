// Runs every benchmark, then prints each subject's ratio to its baseline from the same run.
#include "ratio_reporter.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  vellum::bench::RatioReporter reporter(vellum::bench::RatioPairs());
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
