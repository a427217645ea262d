#include "node/periodic_task.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace vellum::node {
namespace {

// A tick that throws is reported and the task goes on; it used to end the process.
TEST(PeriodicTaskTest, ATickThatThrowsIsRunAgain) {
  std::atomic<int> ticks{0};
  PeriodicTask task(1, PeriodicTask::First::kNow, [&] {
    if (ticks.fetch_add(1) < 2) throw std::runtime_error("a tick that fails");
  });
  for (int i = 0; i < 5000 && ticks < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  task.Stop();
  EXPECT_GE(ticks.load(), 5);
}

}  // namespace
}  // namespace vellum::node
