// One long-lived helper thread that runs a task beside the caller, so that a large append hashes
// on the second core without starting a thread per batch.
#ifndef VELLUM_STORAGE_HELPER_THREAD_H_
#define VELLUM_STORAGE_HELPER_THREAD_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace vellum::storage {

// Not thread-safe: one caller at a time (the ledger's writer, under its mutex).
class HelperThread {
 public:
  HelperThread() : thread_([this] { Loop(); }) {}
  ~HelperThread() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  HelperThread(const HelperThread&) = delete;
  HelperThread& operator=(const HelperThread&) = delete;

  // Runs `task` on the helper while the caller runs `here`; returns when both are done.
  void RunBeside(const std::function<void()>& task, const std::function<void()>& here) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      task_ = &task;
    }
    wake_.notify_all();
    here();
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait(lock, [&] { return task_ == nullptr; });
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      wake_.wait(lock, [&] { return stop_ || task_ != nullptr; });
      if (stop_) return;
      lock.unlock();
      (*task_)();
      lock.lock();
      task_ = nullptr;
      wake_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  const std::function<void()>* task_ = nullptr;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_HELPER_THREAD_H_
