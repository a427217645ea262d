#include "node/periodic_task.h"

#include <chrono>
#include <cstdio>
#include <exception>

namespace vellum::node {

PeriodicTask::PeriodicTask(int interval_ms, First first, std::function<void()> tick)
    : interval_ms_(interval_ms), tick_(std::move(tick)), thread_([this, first] { Run(first); }) {}

PeriodicTask::~PeriodicTask() { Stop(); }

void PeriodicTask::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::Run(First first) {
  std::unique_lock<std::mutex> lock(mu_);
  const auto wait = [&] {
    return !wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_),
                           [this] { return stopping_.load(); });
  };
  if (first == First::kAfterInterval && !wait()) return;
  while (!stopping_) {
    lock.unlock();
    try {
      tick_();
    } catch (const std::exception& e) {
      // None should throw (a peer's answer once made a thread throw, and ended the node): this
      // tick is lost, the next one comes.
      std::fprintf(stderr, "vellum: a periodic task failed, and runs again: %s\n", e.what());
    }
    lock.lock();
    if (!wait()) return;
  }
}

}  // namespace vellum::node
