#include "node/watcher.h"

#include <algorithm>

#include "node/compare.h"
#include "node/sync.h"

namespace vellum::node {

Watcher::Watcher(Ledger& ledger, std::string upstream, std::optional<VerifierKey> upstream_key,
                 std::vector<std::string> peers, std::vector<VerifierKey> peer_keys,
                 int interval_ms, std::function<Result<std::string>()> our_checkpoint)
    : ledger_(ledger), upstream_url_(std::move(upstream)), peer_keys_(std::move(peer_keys)),
      interval_ms_(interval_ms), our_checkpoint_(std::move(our_checkpoint)) {
  if (!upstream_url_.empty()) {
    std::vector<VerifierKey> only;
    if (upstream_key) only.push_back(*upstream_key);
    upstream_ = std::move(*OpenView(upstream_url_, std::move(only)));
  }
  for (const std::string& url : peers) {
    peer_views_.push_back(std::move(*OpenView(url, peer_keys_)));
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
        if (auto kept = KeepEvidence(peer, *c); !kept) report.detail = kept.error().message();
        break;
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  peers_[i] = std::move(report);
}

Result<void> Watcher::KeepEvidence(LedgerView& peer, const Comparison& c) {
  // Both sides' signed checkpoints must reach past the fork; the proofs of the two leaves in
  // them make the evidence checkable offline (CheckForkEvidence).
  const uint64_t k = *c.fork_index;
  auto ours = our_checkpoint_();
  if (!ours) return std::unexpected(ours.error());
  auto note = ParseSignedNote(*ours);
  if (!note) return std::unexpected(note.error());
  auto cp = ParseCheckpointBody(note->text);
  if (!cp) return std::unexpected(cp.error());
  if (cp->size <= k) {
    return Fail(ErrorCode::kUnavailable, "no evidence yet: our newest checkpoint (size " +
                                             std::to_string(cp->size) +
                                             ") does not reach the fork");
  }
  ForkEvidence e{peer.name(), k, *ours, peer.CheckpointNote()};
  e.local_leaf = c.leaf_a;
  e.peer_leaf = c.leaf_b;
  auto local_proof = ledger_.InclusionProof(k, cp->size);
  if (!local_proof) return std::unexpected(local_proof.error());
  e.local_proof = std::move(*local_proof);
  auto peer_proof = peer.InclusionProof(k, c.b.size);
  if (!peer_proof) return std::unexpected(peer_proof.error());
  e.peer_proof = std::move(*peer_proof);
  return ledger_.RecordForkEvidence(e, peer_keys_);
}

}  // namespace vellum::node
