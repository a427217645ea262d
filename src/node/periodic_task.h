// A function run on its own thread every interval until stopped: the publisher of `serve
// --publish` and the folder rescan of `serve --dir`.
#ifndef VELLUM_NODE_PERIODIC_TASK_H_
#define VELLUM_NODE_PERIODIC_TASK_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace vellum::node {

class PeriodicTask {
 public:
  enum class First { kNow, kAfterInterval };
  // Starts the thread: `tick` runs now or after the first interval, then every `interval_ms`.
  // A tick that throws is reported on stderr and run again at the next interval.
  PeriodicTask(int interval_ms, First first, std::function<void()> tick);
  ~PeriodicTask();  // Stop()
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;
  // Waits for a tick in progress; `stopping()` is true from the start of the call, so a long
  // tick can give up early. Safe to call more than once.
  void Stop();
  const std::atomic<bool>& stopping() const { return stopping_; }

 private:
  void Run(First first);

  const int interval_ms_;
  std::function<void()> tick_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_PERIODIC_TASK_H_
