#include "node/watcher.h"

#include <algorithm>

#include "node/compare.h"
#include "node/sync.h"

namespace vellum::node {

Watcher::Watcher(Ledger& ledger, std::string upstream, std::vector<std::string> peers,
                 std::vector<VerifierKey> keys, int interval_ms,
                 std::function<Result<std::string>()> our_checkpoint)
    : ledger_(ledger), upstream_url_(std::move(upstream)), keys_(std::move(keys)),
      interval_ms_(interval_ms), our_checkpoint_(std::move(our_checkpoint)) {
  if (!upstream_url_.empty()) upstream_ = std::move(*OpenView(upstream_url_, keys_));
  for (const std::string& url : peers) {
    peer_views_.push_back(std::move(*OpenView(url, keys_)));
    peers_.push_back({url});
  }
  if (upstream_ || !peer_views_.empty()) thread_ = std::thread([this] { Run(); });
}

Watcher::~Watcher() { Stop(); }

void Watcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<PeerReport> Watcher::Peers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peers_;
}

std::string Watcher::UpstreamState() const {
  std::lock_guard<std::mutex> lock(mu_);
  return upstream_state_;
}

void Watcher::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    if (upstream_) SyncOnce();
    for (size_t i = 0; i < peer_views_.size(); ++i) CheckPeer(i);
    lock.lock();
    // Back off (doubling, up to 32 intervals) while the upstream keeps failing.
    const int factor = 1 << std::min(failures_, 5);
    wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_ * factor),
                   [&] { return stopping_; });
  }
}

void Watcher::SyncOnce() {
  auto result = SyncFrom(ledger_, *upstream_);
  std::lock_guard<std::mutex> lock(mu_);
  if (result) {
    failures_ = 0;
    upstream_state_ = "in sync at " + std::to_string(result->new_size);
  } else {
    ++failures_;
    upstream_state_ = "refused or failed: " + result.error().message();
  }
}

void Watcher::CheckPeer(size_t i) {
  LedgerView& peer = *peer_views_[i];
  PeerReport report{peer.name()};
  auto local = ViewOf(ledger_, "this node");
  auto c = Compare(*local, peer);
  if (!c) {
    const bool bad_sig = c.error().message().find("bad checkpoint") != std::string::npos;
    report.state = c.error().code() == ErrorCode::kUnavailable ? "unreachable"
                   : bad_sig                                    ? "bad signature"
                                                                : "refused";
    report.detail = c.error().message();
  } else {
    report.size = c->b.size;
    switch (c->relation) {
      case Comparison::Relation::kIdentical: report.state = "in sync"; break;
      case Comparison::Relation::kABehind:
        report.state = "ahead by " + std::to_string(c->behind_by);
        break;
      case Comparison::Relation::kBBehind:
        report.state = "behind by " + std::to_string(c->behind_by);
        break;
      case Comparison::Relation::kForked: {
        report.state = "forked at " + std::to_string(*c->fork_index);
        // Evidence needs two signed checkpoints that both reach past the fork.
        auto ours = our_checkpoint_();
        auto body = ours ? ParseSignedNote(*ours) : Result<SignedNote>(std::unexpected(ours.error()));
        auto cp = body ? ParseCheckpointBody(body->text) : Result<Checkpoint>(std::unexpected(body.error()));
        if (cp && cp->size > *c->fork_index && !peer.CheckpointNote().empty()) {
          (void)ledger_.RecordForkEvidence(
              {peer.name(), *c->fork_index, *ours, peer.CheckpointNote(), 0});
        }
        break;
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  peers_[i] = std::move(report);
}

}  // namespace vellum::node
