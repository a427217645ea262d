#include "node/sync.h"

#include <filesystem>
#include <string>

#include "merkle/tree_math.h"

namespace vellum::node {
namespace {

constexpr uint64_t kAppendBatch = 10000;

Result<NewEntry> DecodeEntry(const Bytes& bytes, EntryFormat format, uint64_t index) {
  if (format == EntryFormat::kRaw) return NewEntry{bytes, std::nullopt};
  if (bytes.size() < 8) {
    return Fail(ErrorCode::kVerificationFailed,
                "entry " + std::to_string(index) + " is too short for a record");
  }
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = t << 8 | bytes[i];
  return NewEntry{Bytes(bytes.begin() + 8, bytes.end()), static_cast<int64_t>(t)};
}

// The local tree's frontier, to extend with the fetched leaves.
Result<merkle::CompactRange> LocalFrontier(Ledger& ledger, uint64_t size) {
  const auto nodes = merkle::RangeNodes(0, size);
  std::vector<Hash> hashes;
  if (!nodes.empty()) {
    auto got = ledger.SubtreeHashes(nodes);
    if (!got) return std::unexpected(got.error());
    hashes = std::move(*got);
  }
  return merkle::CompactRange::FromFrontier(size, hashes);
}

}  // namespace

Result<SyncResult> SyncFrom(Ledger& ledger, LedgerView& upstream, const SyncProgress& progress) {
  auto head = upstream.Head();
  if (!head) return std::unexpected(head.error());
  if (head->origin != ledger.origin()) {
    return Fail(ErrorCode::kVerificationFailed, upstream.name() + " serves '" + head->origin +
                                                    "', not '" + ledger.origin() + "'");
  }
  auto local = ledger.GetHead();
  if (!local) return std::unexpected(local.error());
  SyncResult result{local->size, local->size};
  const std::string where = "the mirror's history (size " + std::to_string(local->size) + ")";
  if (head->size < local->size) {
    return Fail(ErrorCode::kConflict, upstream.name() + " signed only " +
                                          std::to_string(head->size) + " entries; " + where +
                                          " is longer: nothing to do, nothing changed");
  }
  if (local->size > 0) {  // the mirror's history must be a prefix of the signed one
    std::vector<Hash> proof;
    if (head->size > local->size) {
      auto got = upstream.ConsistencyProof(local->size, head->size);
      if (!got) return std::unexpected(got.error());
      proof = std::move(*got);
    }
    if (auto ok = merkle::VerifyConsistency(local->size, head->size, local->root, head->root,
                                            proof);
        !ok) {
      return Fail(ErrorCode::kVerificationFailed, upstream.name() + "'s signed checkpoint is not an extension of " +
                                                      where + ": " + ok.error().message());
    }
  }
  auto format = ledger.format();
  auto range = LocalFrontier(ledger, local->size);
  if (!range) return std::unexpected(range.error());
  // In batches of about kAppendBatch entries: fetch, prove that the tree they extend ours to is
  // a prefix of the signed one (or is the signed one, for the last batch), then append. Memory
  // stays bounded and a sync that is stopped keeps what it proved.
  std::vector<NewEntry> fetched;
  for (uint64_t at = local->size; at < head->size;) {
    const uint64_t batch_first = at;
    while (at < head->size && fetched.size() < kAppendBatch) {
      const uint64_t end = std::min(head->size, (at / 256 + 1) * 256);
      auto bytes = upstream.EntryBytes(at, end);
      if (!bytes) return std::unexpected(bytes.error());
      if (bytes->size() != end - at) {
        return Fail(ErrorCode::kVerificationFailed,
                    upstream.name() + " sent the wrong number of entries");
      }
      for (const Bytes& b : *bytes) {
        if (b.size() > kMaxEntrySize) {
          return Fail(ErrorCode::kVerificationFailed, upstream.name() + " sent an oversized entry");
        }
        range->Append(merkle::LeafHash(b));
        auto entry = DecodeEntry(b, format, batch_first + fetched.size());
        if (!entry) return std::unexpected(entry.error());
        fetched.push_back(std::move(*entry));
      }
      at = end;
    }
    const std::string batch = "entries " + std::to_string(batch_first) + ".." +
                              std::to_string(at - 1);
    if (at == head->size) {
      if (range->Root() != head->root) {
        return Fail(ErrorCode::kVerificationFailed,
                    upstream.name() + " sent " + batch + " that do not rebuild its signed root; " +
                        "nothing from them was written");
      }
    } else {
      auto proof = upstream.ConsistencyProof(at, head->size);
      if (!proof) return std::unexpected(proof.error());
      if (!merkle::VerifyConsistency(at, head->size, range->Root(), head->root, *proof)) {
        return Fail(ErrorCode::kVerificationFailed,
                    upstream.name() + " sent " + batch + " that do not rebuild a prefix of its " +
                        "signed tree; nothing from them was written");
      }
    }
    auto first = ledger.AppendBatch(fetched);
    if (!first) return std::unexpected(first.error());
    if (*first != batch_first) {
      return Fail(ErrorCode::kConflict, "someone else appended to the mirror during the sync");
    }
    fetched.clear();
    if (progress) progress(at - local->size, head->size - local->size);
  }
  result.new_size = head->size;
  if (const std::string note = upstream.CheckpointNote(); !note.empty()) {
    (void)ledger.RecordCheckpoint(note);  // best effort: a mirror without the key skips it
  }
  return result;
}

Result<std::unique_ptr<Ledger>> OpenOrCreateMirror(const std::string& path, LedgerView& upstream,
                                                   const std::string& verifier_key) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Ledger::Open(path);
  auto head = upstream.Head();
  if (!head) return std::unexpected(head.error());
  auto format = upstream.Format();
  if (!format) return std::unexpected(format.error());
  return Ledger::Create(path,
                        {.origin = head->origin, .format = *format, .verifier_key = verifier_key});
}

}  // namespace vellum::node
