// A few threads that run queued work: for requests whose handlers block (a witness's
// add-checkpoint waits for its group commit) so that they do not hold the HTTP server's
// event-loop threads. Bounded: Post refuses work beyond `max_pending`.
#ifndef VELLUM_NODE_WORK_QUEUE_H_
#define VELLUM_NODE_WORK_QUEUE_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vellum::node {

class WorkQueue {
 public:
  WorkQueue(int threads, size_t max_pending);
  // Runs the work already queued, then joins the threads.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // False (and `work` is not run) when max_pending works are already waiting.
  bool Post(std::function<void()> work);

 private:
  void Run();

  const size_t max_pending_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> pending_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: started once everything above exists
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_WORK_QUEUE_H_
