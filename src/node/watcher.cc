#include "node/watcher.h"

#include <algorithm>

#include "node/compare.h"
#include "node/sync.h"

namespace vellum::node {
namespace {

// A peer before its first check, for the network analysis the node answers until then.
class NotCheckedView : public LedgerView {
 public:
  explicit NotCheckedView(std::string url) : LedgerView(std::move(url)) {}
  Result<ViewHead> Head() override { return Fail(ErrorCode::kUnavailable, "not checked yet"); }
  Result<std::vector<Hash>> SubtreeHashes(std::span<const merkle::NodeId>) override {
    return Fail(ErrorCode::kUnavailable, "not checked yet");
  }
  Result<std::vector<Hash>> ConsistencyProof(uint64_t, uint64_t) override {
    return Fail(ErrorCode::kUnavailable, "not checked yet");
  }
  Result<std::vector<Hash>> InclusionProof(uint64_t, uint64_t) override {
    return Fail(ErrorCode::kUnavailable, "not checked yet");
  }
  Result<Entry> Get(uint64_t) override { return Fail(ErrorCode::kUnavailable, "not checked yet"); }
  Result<std::vector<Bytes>> EntryBytes(uint64_t, uint64_t) override {
    return Fail(ErrorCode::kUnavailable, "not checked yet");
  }
  Result<EntryFormat> Format() override { return Fail(ErrorCode::kUnavailable, "not checked yet"); }
};

// Another view under the same name, for an analysis that must not take ownership of it.
class BorrowedView : public LedgerView {
 public:
  explicit BorrowedView(LedgerView& view) : LedgerView(view.name()), view_(view) {}
  Result<ViewHead> Head() override { return view_.Head(); }
  Result<std::vector<Hash>> SubtreeHashes(std::span<const merkle::NodeId> ids) override {
    return view_.SubtreeHashes(ids);
  }
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) override {
    return view_.ConsistencyProof(old_size, new_size);
  }
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) override {
    return view_.InclusionProof(index, size);
  }
  Result<Entry> Get(uint64_t index) override { return view_.Get(index); }
  Result<std::vector<Bytes>> EntryBytes(uint64_t begin, uint64_t end) override {
    return view_.EntryBytes(begin, end);
  }
  Result<EntryFormat> Format() override { return view_.Format(); }
  std::string CheckpointNote() const override { return view_.CheckpointNote(); }
  std::unique_ptr<LedgerView> Another(const std::atomic<bool>* cancel) const override {
    return view_.Another(cancel);
  }

 private:
  LedgerView& view_;
};

}  // namespace

Watcher::Watcher(Ledger& ledger, std::string upstream, std::optional<VerifierKey> upstream_key,
                 std::vector<std::string> peers, std::vector<VerifierKey> peer_keys,
                 int interval_ms, int request_deadline_ms,
                 std::function<Result<std::string>()> our_checkpoint, EventLog& log,
                 std::shared_ptr<const Policy> upstream_policy)
    : ledger_(ledger),
      upstream_url_(std::move(upstream)),
      peer_keys_(std::move(peer_keys)),
      interval_ms_(interval_ms),
      our_checkpoint_(std::move(our_checkpoint)),
      log_(log) {
  const RemoteOptions remote{.deadline_ms = request_deadline_ms, .cancel = &cancel_};
  if (!upstream_url_.empty()) {
    std::vector<VerifierKey> only;
    if (upstream_key) only.push_back(*upstream_key);
    RemoteOptions upstream_remote = remote;
    upstream_remote.policy = std::move(upstream_policy);
    upstream_ = std::move(*OpenView(upstream_url_, std::move(only), upstream_remote));
  }
  std::vector<std::unique_ptr<LedgerView>> pending;
  pending.push_back(ViewOf(ledger_, "self"));
  for (const std::string& url : peers) {
    peer_views_.push_back(std::move(*OpenView(url, peer_keys_, remote)));
    peers_.push_back({url});
    pending.push_back(std::make_unique<NotCheckedView>(url));
  }
  network_ = NetworkJson(AnalyzeNetwork(pending));
  if (upstream_ || !peer_views_.empty()) thread_ = std::thread([this] { Run(); });
}

Watcher::~Watcher() { Stop(); }

void Watcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cancel_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<PeerReport> Watcher::Peers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peers_;
}

nlohmann::json Watcher::Network() const {
  std::lock_guard<std::mutex> lock(mu_);
  return network_;
}

std::string Watcher::UpstreamState() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (upstream_refusal_) return "refused or failed: " + *upstream_refusal_;
  if (upstream_synced_) return "in sync at " + std::to_string(upstream_size_);
  return "";
}

void Watcher::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    try {
      Round();
    } catch (const std::exception& e) {
      // None should throw (a peer's proof once made this thread throw, and ended the node):
      // the round is lost, the next one comes.
      log_.Event("error", std::string("a round of watching failed, and runs again: ") + e.what());
    }
    lock.lock();
    // Back off (doubling, up to 32 intervals) while the upstream keeps failing.
    const int factor = 1 << std::min(failures_, 5);
    wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_ * factor),
                   [&] { return stopping_; });
  }
}

void Watcher::Round() {
  if (upstream_) SyncOnce();
  if (peer_views_.empty()) return;
  std::vector<PeerReport> reports;
  for (size_t i = 0; i < peer_views_.size() && !cancel_; ++i) reports.push_back(CheckPeer(i));
  // The analysis reuses the peer views (and their connections); this node is "self".
  std::vector<std::unique_ptr<LedgerView>> views;
  views.push_back(ViewOf(ledger_, "self"));
  for (auto& peer : peer_views_) views.push_back(std::make_unique<BorrowedView>(*peer));
  nlohmann::json network = NetworkJson(AnalyzeNetwork(views));
  std::lock_guard<std::mutex> publish(mu_);
  if (reports.size() == peers_.size()) {  // a round cut short by Stop is not published
    for (size_t i = 0; i < reports.size(); ++i) {
      reports[i].checks = peers_[i].checks + 1;
      peers_[i] = std::move(reports[i]);
    }
    network_ = std::move(network);
  }
}

void Watcher::SyncOnce() {
  uint64_t logged = 0;
  const uint64_t before = ledger_.GetHead().value_or(Head{}).size;
  auto result = SyncFrom(ledger_, *upstream_, [&](uint64_t done, uint64_t total) {
    log_.Event(
        "sync",
        "copied entries " + std::to_string(before + logged) + ".." +
            std::to_string(before + done - 1) + " from " + upstream_url_ + " (" +
            std::to_string(done) + " of " + std::to_string(total) + ")",
        {{"upstream", upstream_url_}, {"first_index", before + logged}, {"size", before + done}});
    logged = done;
  });
  std::lock_guard<std::mutex> lock(mu_);
  failures_ = result ? 0 : failures_ + 1;
  // The size changes with every batch; a refusal is said once until its reason changes.
  const std::optional<std::string> was_refused = upstream_refusal_;
  if (!result && result.error().message() != was_refused) {
    log_.Event("refused", "upstream " + upstream_url_ + ": " + result.error().message(),
               {{"upstream", upstream_url_}});
  } else if (result && was_refused) {
    log_.Event("upstream", "upstream " + upstream_url_ + " is answering again",
               {{"upstream", upstream_url_}, {"size", result->new_size}});
  }
  upstream_synced_ = result.has_value();
  if (result) {
    upstream_size_ = result->new_size;
    upstream_refusal_.reset();
  } else {
    upstream_refusal_ = result.error().message();
  }
}

std::string PeerStateText(const PeerReport& report) {
  const std::string count = std::to_string(report.count);
  switch (report.state) {
    case PeerStatus::kNotChecked:
      return "not checked yet";
    case PeerStatus::kInSync:
      return "in sync";
    case PeerStatus::kAhead:
      return "ahead by " + count;
    case PeerStatus::kBehind:
      return "behind by " + count;
    case PeerStatus::kForked:
      return "forked at " + count;
    case PeerStatus::kUnreachable:
      return "unreachable";
    case PeerStatus::kBadSignature:
      return "bad signature";
    case PeerStatus::kRefused:
      return "refused";
  }
  return "unknown";
}

PeerReport Watcher::CheckPeer(size_t i) {
  LedgerView& peer = *peer_views_[i];
  PeerReport report{peer.name()};
  auto local = ViewOf(ledger_, "this node");
  auto c = Compare(*local, peer);
  if (!c) {
    report.state = c.error().code() == ErrorCode::kUnavailable ? PeerStatus::kUnreachable
                   : peer.checkpoint_refused()                 ? PeerStatus::kBadSignature
                                                               : PeerStatus::kRefused;
    report.detail = c.error().message();
  } else {
    report.size = c->b.size;
    switch (c->relation) {
      case Comparison::Relation::kIdentical:
        report.state = PeerStatus::kInSync;
        break;
      case Comparison::Relation::kABehind:
        report.state = PeerStatus::kAhead;
        report.count = c->behind_by;
        break;
      case Comparison::Relation::kBBehind:
        report.state = PeerStatus::kBehind;
        report.count = c->behind_by;
        break;
      case Comparison::Relation::kForked: {
        report.state = PeerStatus::kForked;
        report.count = *c->fork_index;
        report.fork_entry = c->entry_b;
        auto kept = KeepEvidence(peer, *c);
        report.detail = kept ? "fork evidence kept: both signed checkpoints and the inclusion "
                               "proofs of the two entries"
                             : "no fork evidence kept: " + kept.error().message();
        break;
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  const std::string state = PeerStateText(report);
  if (state != PeerStateText(peers_[i])) {  // peers_ changes on this thread only
    nlohmann::json fields = {{"peer", report.url}, {"state", state}};
    if (c && c->fork_index) fields["fork_index"] = *c->fork_index;
    if (!report.detail.empty()) fields["detail"] = report.detail;
    log_.Event(c && c->fork_index ? "fork" : "peer",
               "peer " + report.url + ": " + state +
                   (report.detail.empty() ? "" : " (" + report.detail + ")"),
               std::move(fields));
  }
  return report;
}

Result<void> Watcher::KeepEvidence(LedgerView& peer, const Comparison& c) {
  // Both sides' signed checkpoints must reach past the fork; the proofs of the two leaves in
  // them make the evidence checkable offline (CheckForkEvidence).
  const uint64_t k = *c.fork_index;
  if (evidence_kept_.contains({peer.name(), k})) return {};  // once per peer and fork
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
  ForkEvidence e;
  e.peer = peer.name();
  e.fork_index = k;
  e.local_note = *ours;
  e.peer_note = peer.CheckpointNote();
  e.local_leaf = c.leaf_a;
  e.peer_leaf = c.leaf_b;
  auto local_proof = ledger_.InclusionProof(k, cp->size);
  if (!local_proof) return std::unexpected(local_proof.error());
  e.local_proof = std::move(*local_proof);
  auto peer_proof = peer.InclusionProof(k, c.b.size);
  if (!peer_proof) return std::unexpected(peer_proof.error());
  e.peer_proof = std::move(*peer_proof);
  if (auto ok = ledger_.RecordForkEvidence(e, peer_keys_); !ok) return ok;
  evidence_kept_.insert({peer.name(), k});
  return {};
}

}  // namespace vellum::node
