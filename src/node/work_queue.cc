#include "node/work_queue.h"

namespace vellum::node {

WorkQueue::WorkQueue(int threads, size_t max_pending) : max_pending_(max_pending) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkQueue::~WorkQueue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool WorkQueue::Post(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || pending_.size() >= max_pending_) return false;
    pending_.push_back(std::move(work));
  }
  wake_.notify_one();
  return true;
}

void WorkQueue::Run() {
  while (true) {
    std::function<void()> work;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and nothing left to run
      work = std::move(pending_.front());
      pending_.pop_front();
    }
    work();
  }
}

}  // namespace vellum::node
