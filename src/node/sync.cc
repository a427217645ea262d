#include "node/sync.h"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/plural.h"
#include "node/api_json.h"
#include "vellum/witness.h"

namespace vellum::node {
namespace {

// Entries per transaction at most (and bytes of payload): large transactions for speed, a
// bounded one for memory, and a stopped sync keeps every batch it finished.
constexpr uint64_t kAppendBatch = 65536;
constexpr size_t kAppendBatchBytes = size_t{64} << 20;

Result<NewEntry> DecodeEntry(const Bytes& bytes, EntryFormat format, uint64_t index) {
  auto entry = Ledger::DecodeEntry(format, bytes);
  if (entry) return entry;
  // Raw entries read as records are short or give times far outside any calendar: the
  // upstream's format (unsigned) was wrong, or the user's --format was.
  return Fail(
      ErrorCode::kVerificationFailed,
      "entry " + std::to_string(index) +
          (bytes.size() < kRecordTimeSize ? " is too short for a record"
                                          : " does not start with a plausible record time") +
          "; are the upstream's entries raw? (nothing from this batch was written)");
}

// The upstream's signed head, refused unless it is signed by its key and names our origin.
Result<ViewHead> SignedHead(Ledger& ledger, LedgerView& upstream) {
  auto head = upstream.Head();
  if (!head) return std::unexpected(head.error());
  if (!head->signature_checked || upstream.CheckpointNote().empty()) {
    return Fail(ErrorCode::kVerificationFailed,
                upstream.name() +
                    " offers no checkpoint signed by the upstream's key; nothing "
                    "was written");
  }
  if (head->origin != ledger.origin()) {
    return Fail(ErrorCode::kVerificationFailed,
                upstream.name() + " serves '" + head->origin + "', not '" + ledger.origin() + "'");
  }
  return head;
}

// Checks that the mirror's history `local` is a prefix of the signed tree `head`.
Result<void> CheckPrefix(const Head& local, const ViewHead& head, LedgerView& upstream) {
  const std::string where = "the mirror's history (size " + std::to_string(local.size) + ")";
  if (head.size < local.size) {
    return Fail(ErrorCode::kConflict, upstream.name() + " signed only " + Entries(head.size) +
                                          "; " + where +
                                          " is longer: nothing to do, nothing changed");
  }
  if (local.size == 0) return {};
  std::vector<Hash> proof;
  if (head.size > local.size) {
    auto got = upstream.ConsistencyProof(local.size, head.size);
    if (!got) return std::unexpected(got.error());
    proof = std::move(*got);
  }
  if (auto ok = merkle::VerifyConsistency(local.size, head.size, local.root, head.root, proof);
      !ok) {
    return Fail(ErrorCode::kVerificationFailed, upstream.name() +
                                                    "'s signed checkpoint is not an extension of " +
                                                    where + ": " + ok.error().message());
  }
  return {};
}

// Fetches the entry bundles that hold entries [from, to) with up to kFetchers requests in
// flight, each on its own view of the upstream (views are single-threaded), decodes them (and so
// checks them against the mirror's format) and hands them out in order. Their hashes are
// checked when they are appended. At most about kMaxAheadBytes of fetched entries wait.
class BundleFetcher {
 public:
  static constexpr int kFetchers = 4;
  static constexpr size_t kMaxAheadBytes = size_t{64} << 20;

  BundleFetcher(LedgerView& upstream, EntryFormat format, uint64_t from, uint64_t to)
      : upstream_(upstream),
        format_(format),
        from_(from),
        to_(to),
        next_fetch_(from / kTileWidth),
        next_hand_(from / kTileWidth),
        end_((to + kTileWidth - 1) / kTileWidth) {
    for (int i = 0; i < kFetchers && end_ - next_fetch_ > 1; ++i) {
      auto view = upstream.Another(&cancel_);
      if (!view) break;  // a local file: fetched in Next()
      views_.push_back(std::move(view));
    }
    for (auto& view : views_) threads_.emplace_back([this, v = view.get()] { Work(*v); });
  }
  ~BundleFetcher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cancel_ = true;
    cv_.notify_all();
    for (auto& t : threads_) t.join();
    for (auto& view : views_) upstream_.AddCost(*view);
  }

  // The next bundle's entries within [from, to), or the error that stopped the fetching.
  [[nodiscard]] Result<std::vector<NewEntry>> Next() {
    if (threads_.empty()) return Fetch(upstream_, next_hand_++);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return ready_.contains(next_hand_); });
    auto node = ready_.extract(next_hand_++);
    ahead_bytes_ -= node.mapped().bytes;
    cv_.notify_all();
    return std::move(node.mapped().entries);
  }

 private:
  struct Fetched {
    Result<std::vector<NewEntry>> entries;
    size_t bytes = 0;
  };

  Result<std::vector<NewEntry>> Fetch(LedgerView& view, uint64_t bundle) {
    const uint64_t begin = std::max(from_, bundle * kTileWidth);
    const uint64_t end = std::min(to_, (bundle + 1) * kTileWidth);
    auto bytes = view.EntryBytes(begin, end);
    if (!bytes) return std::unexpected(bytes.error());
    if (bytes->size() != end - begin) {
      return Fail(ErrorCode::kVerificationFailed,
                  upstream_.name() + " sent the wrong number of entries");
    }
    std::vector<NewEntry> out;
    out.reserve(bytes->size());
    for (size_t k = 0; k < bytes->size(); ++k) {
      const Bytes& b = (*bytes)[k];
      if (b.size() > kMaxEntrySize) {
        return Fail(ErrorCode::kVerificationFailed, upstream_.name() + " sent an oversized entry");
      }
      auto entry = DecodeEntry(b, format_, begin + k);
      if (!entry) return std::unexpected(entry.error());
      out.push_back(std::move(*entry));
    }
    return out;
  }

  void Work(LedgerView& view) {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock,
               [this] { return stop_ || next_fetch_ >= end_ || ahead_bytes_ < kMaxAheadBytes; });
      if (stop_ || next_fetch_ >= end_) return;
      const uint64_t bundle = next_fetch_++;
      lock.unlock();
      Fetched fetched{Fetch(view, bundle)};
      if (fetched.entries) {
        for (const NewEntry& e : *fetched.entries) fetched.bytes += e.payload.size() + 16;
      }
      lock.lock();
      if (!fetched.entries) next_fetch_ = end_;  // the first error ends the sync: fetch no more
      ahead_bytes_ += fetched.bytes;
      ready_.emplace(bundle, std::move(fetched));
      cv_.notify_all();
    }
  }

  LedgerView& upstream_;
  const EntryFormat format_;
  const uint64_t from_, to_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_fetch_, next_hand_;  // bundle numbers
  const uint64_t end_;
  std::map<uint64_t, Fetched> ready_;
  size_t ahead_bytes_ = 0;
  bool stop_ = false;
  std::atomic<bool> cancel_{false};
  std::vector<std::unique_ptr<LedgerView>> views_;
  std::vector<std::thread> threads_;
};

}  // namespace

Result<SyncResult> SyncFrom(Ledger& ledger, LedgerView& upstream, const SyncProgress& progress) {
  auto head = SignedHead(ledger, upstream);
  if (!head) return std::unexpected(head.error());
  const std::string note = upstream.CheckpointNote();
  auto local = ledger.GetHead();
  if (!local) return std::unexpected(local.error());
  if (auto ok = CheckPrefix(*local, *head, upstream); !ok) return std::unexpected(ok.error());
  SyncResult result{local->size, local->size};
  if (head->size == local->size) {  // nothing new; keep the upstream's newest signature
    if (auto ok = ledger.RecordCheckpoint(note); !ok) return std::unexpected(ok.error());
    return result;
  }
  // In batches of about kAppendBatch entries: fetch, then append with the signed checkpoint,
  // which the ledger checks in the same transaction (the last batch must rebuild its root and
  // records it; earlier ones must be proven prefixes of it). Memory stays bounded and a sync
  // that is stopped keeps what it proved.
  BundleFetcher fetcher(upstream, ledger.format(), local->size, head->size);
  std::vector<NewEntry> fetched;
  for (uint64_t at = local->size; at < head->size;) {
    const uint64_t batch_first = at;
    size_t bytes = 0;
    while (at < head->size && fetched.size() < kAppendBatch && bytes < kAppendBatchBytes) {
      auto bundle = fetcher.Next();
      if (!bundle && bundle.error().code() == ErrorCode::kNotFound) {
        return Fail(ErrorCode::kNotFound, upstream.name() + " signed a checkpoint of " +
                                              Entries(head->size) + " but does not serve entry " +
                                              std::to_string(at) + " (" + bundle.error().message() +
                                              ")");
      }
      if (!bundle) return std::unexpected(bundle.error());
      at += bundle->size();
      for (NewEntry& e : *bundle) {
        bytes += e.payload.size();
        fetched.push_back(std::move(e));
      }
    }
    std::vector<Hash> proof;
    if (at < head->size) {
      auto got = upstream.ConsistencyProof(at, head->size);
      if (!got) return std::unexpected(got.error());
      proof = std::move(*got);
    }
    auto first = ledger.AppendVerified(fetched, note, proof);
    if (!first) {
      return Fail(first.error().code(), upstream.name() + ": " + first.error().message());
    }
    if (*first != batch_first) {
      return Fail(ErrorCode::kConflict, "someone else appended to the mirror during the sync");
    }
    fetched.clear();
    if (progress) progress(at - local->size, head->size - local->size);
  }
  result.new_size = head->size;
  return result;
}

Result<std::unique_ptr<Ledger>> OpenOrCreateMirror(const std::string& path, LedgerView& upstream,
                                                   const std::string& verifier_key,
                                                   std::optional<EntryFormat> format) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto ledger = Ledger::Open(path);
    if (!ledger && ledger.error().code() == ErrorCode::kInvalidArgument &&
        !std::filesystem::is_directory(path, ec)) {
      // "Create one with vellum init" is not what a sync needs: a file of its own.
      return Fail(ErrorCode::kInvalidArgument,
                  path +
                      (Witness::IsStateFile(path) ? " is a witness's state file"
                                                  : " is not a vellum ledger") +
                      ": sync into a new file (it becomes a mirror) or a mirror of this log; " +
                      "nothing was written");
    }
    if (ledger && (*ledger)->verifier_key() != verifier_key) {
      return Fail(ErrorCode::kInvalidArgument, path + " belongs to another key (" +
                                                   (*ledger)->verifier_key() +
                                                   ") than the upstream's " + verifier_key);
    }
    if (ledger && format && (*ledger)->format() != *format) {
      return Fail(ErrorCode::kInvalidArgument,
                  path + " holds " + std::string(EntryFormatName((*ledger)->format())) +
                      " entries, not " + std::string(EntryFormatName(*format)));
    }
    return ledger;
  }
  auto head = upstream.Head();
  if (!head) return std::unexpected(head.error());
  if (!head->signature_checked) {
    return Fail(ErrorCode::kVerificationFailed,
                upstream.name() + "'s checkpoint was not checked with the upstream's key");
  }
  // The entry format is not part of any signed statement, so the upstream's word for it only
  // confirms the user's choice: a disagreement is refused rather than guessed. A log that does
  // not say (tiles only) takes the user's word alone, which must then be given.
  const EntryFormat chosen = format.value_or(EntryFormat::kRecord);
  auto claimed = upstream.Format();
  if (!claimed && claimed.error().code() == ErrorCode::kNotFound && format) claimed = *format;
  if (!claimed) return std::unexpected(claimed.error());
  if (*claimed != chosen) {
    return Fail(ErrorCode::kVerificationFailed,
                upstream.name() + " says its entries are " +
                    std::string(EntryFormatName(*claimed)) + ", but the mirror would hold " +
                    std::string(EntryFormatName(chosen)) +
                    " entries; the format is not signed, so say which with --format");
  }
  return Ledger::Create(
      path,
      {.origin = head->origin, .format = chosen, .verifier_key = verifier_key, .mirror = true});
}

Result<SyncResult> SyncInto(const std::string& path, LedgerView& upstream,
                            const std::string& verifier_key, std::optional<EntryFormat> format,
                            const SyncProgress& progress) {
  std::error_code ec;
  const bool created = !std::filesystem::exists(path, ec);
  auto ledger = OpenOrCreateMirror(path, upstream, verifier_key, format);
  if (!ledger) return std::unexpected(ledger.error());
  auto result = SyncFrom(**ledger, upstream, progress);
  if (!result) {
    if (created && (*ledger)->GetHead().value_or(Head{1}).size == 0) {
      ledger->reset();
      (void)Ledger::RemoveEmpty(path);
    }
    return Fail(result.error().code(), "sync refused: " + result.error().message());
  }
  auto head = (*ledger)->GetHead();
  if (!head) return std::unexpected(head.error());
  result->root = head->root;
  return result;
}

}  // namespace vellum::node
