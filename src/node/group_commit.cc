#include "node/group_commit.h"

#include <future>

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
  std::promise<Result<Appended>> answered;
  auto answer = answered.get_future();
  AppendAsync(std::move(entries),
              [&answered](Result<Appended> result) { answered.set_value(std::move(result)); });
  return answer.get();
}

void GroupCommitter::AppendAsync(std::vector<NewEntry> entries, Done done) {
  if (!grouped_) {
    auto first = ledger_.AppendBatch(entries);
    if (!first) return done(std::unexpected(first.error()));
    return done(Appended{*first, *first + entries.size()});
  }
  if (auto ok = ledger_.Validate(entries); !ok) return done(std::unexpected(ok.error()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::make_unique<Request>(Request{std::move(entries), std::move(done)}));
      wake_.notify_one();
      return;
    }
  }
  done(Fail(ErrorCode::kUnavailable, "the node is shutting down"));
}

void GroupCommitter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    std::vector<std::unique_ptr<Request>> group;
    size_t count = 0;
    while (!queue_.empty() &&
           (group.empty() || count + queue_.front()->entries.size() <= kMaxGroupEntries)) {
      count += queue_.front()->entries.size();
      group.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    CommitGroup(group);
    lock.lock();
  }
}

void GroupCommitter::CommitGroup(std::vector<std::unique_ptr<Request>>& group) {
  std::vector<NewEntry> all;
  std::vector<size_t> counts;
  for (auto& r : group) {
    counts.push_back(r->entries.size());
    for (NewEntry& e : r->entries) all.push_back(std::move(e));
  }
  auto first = ledger_.AppendBatch(all);
  uint64_t next = first ? *first : 0;
  for (size_t i = 0; i < group.size(); ++i) {
    if (first) {
      group[i]->done(Appended{next, *first + all.size()});
      next += counts[i];
    } else {
      group[i]->done(std::unexpected(first.error()));
    }
  }
}

}  // namespace vellum::node
