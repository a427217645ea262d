// Group commit: appends that arrive while a transaction is being made durable are gathered into
// the next one, so many concurrent appends share one fsync. Thread-safe.
#ifndef VELLUM_NODE_GROUP_COMMIT_H_
#define VELLUM_NODE_GROUP_COMMIT_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "vellum/ledger.h"

namespace vellum::node {

struct Appended {
  uint64_t first_index = 0;
  uint64_t size = 0;  // the ledger's size once the transaction that held them committed
};

class GroupCommitter {
 public:
  // With `grouped` false every Append is its own transaction (the benchmark's baseline).
  // REQUIRES: `ledger` outlives this object.
  GroupCommitter(Ledger& ledger, bool grouped);
  ~GroupCommitter();  // finishes queued appends, then stops

  using Done = std::function<void(Result<Appended>)>;
  // Appends `entries` in one transaction, possibly shared with other callers' entries, and
  // calls `done` once they are durable (or failed), on the committer's thread or, when
  // validation fails or appends are not grouped, on the caller's before returning. A request
  // that fails validation fails alone.
  void AppendAsync(std::vector<NewEntry> entries, Done done);
  // The same, waiting for the answer.
  [[nodiscard]] Result<Appended> Append(std::vector<NewEntry> entries);

 private:
  struct Request {
    std::vector<NewEntry> entries;
    Done done;
  };
  void Run();
  void CommitGroup(std::vector<std::unique_ptr<Request>>& group);

  Ledger& ledger_;
  const bool grouped_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Request>> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_GROUP_COMMIT_H_
