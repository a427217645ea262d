#include "node/group_commit.h"

namespace vellum::node {
namespace {

constexpr size_t kMaxGroupEntries = 20000;

}  // namespace

GroupCommitter::GroupCommitter(Ledger& ledger, bool grouped) : ledger_(ledger), grouped_(grouped) {
  if (grouped_) writer_ = std::thread([this] { Run(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

Result<Appended> GroupCommitter::Append(std::vector<NewEntry> entries) {
  if (!grouped_) {
    auto first = ledger_.AppendBatch(entries);
    if (!first) return std::unexpected(first.error());
    return Appended{*first, *first + entries.size()};
  }
  if (auto ok = ledger_.Validate(entries); !ok) return std::unexpected(ok.error());
  Request request{std::move(entries), {}};
  auto done = request.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Fail(ErrorCode::kUnavailable, "the node is shutting down");
    queue_.push_back(&request);
  }
  wake_.notify_one();
  return done.get();
}

void GroupCommitter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    std::vector<Request*> group;
    size_t count = 0;
    while (!queue_.empty() && (group.empty() || count + queue_.front()->entries.size() <=
                                                    kMaxGroupEntries)) {
      count += queue_.front()->entries.size();
      group.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    CommitGroup(group);
    lock.lock();
  }
}

void GroupCommitter::CommitGroup(std::vector<Request*>& group) {
  std::vector<NewEntry> all;
  for (Request* r : group) {
    for (NewEntry& e : r->entries) all.push_back(std::move(e));
  }
  auto first = ledger_.AppendBatch(all);
  uint64_t next = first ? *first : 0;
  for (Request* r : group) {
    // set_value wakes the requester, which then destroys *r: read it before.
    const uint64_t count = r->entries.size();
    if (first) {
      r->done.set_value(Appended{next, *first + all.size()});
      next += count;
    } else {
      r->done.set_value(std::unexpected(first.error()));
    }
  }
}

}  // namespace vellum::node
