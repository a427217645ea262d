#include "node/sync.h"

#include <filesystem>
#include <string>

#include "node/api_json.h"

namespace vellum::node {
namespace {

constexpr uint64_t kAppendBatch = 10000;

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
    return Fail(ErrorCode::kConflict, upstream.name() + " signed only " +
                                          std::to_string(head.size) + " entries; " + where +
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

// Fetches entries from `at` on, a bundle at a time, until about kAppendBatch are in `fetched`
// or `size` is reached; returns where it stopped. Each entry is decoded (and so checked
// against the mirror's format) here; its hash is checked when the batch is appended.
Result<uint64_t> FetchBatch(LedgerView& upstream, EntryFormat format, uint64_t at, uint64_t size,
                            std::vector<NewEntry>& fetched) {
  while (at < size && fetched.size() < kAppendBatch) {
    const uint64_t end = std::min(size, (at / kTileWidth + 1) * kTileWidth);
    auto bytes = upstream.EntryBytes(at, end);
    if (!bytes) return std::unexpected(bytes.error());
    if (bytes->size() != end - at) {
      return Fail(ErrorCode::kVerificationFailed,
                  upstream.name() + " sent the wrong number of entries");
    }
    for (size_t k = 0; k < bytes->size(); ++k) {
      const Bytes& b = (*bytes)[k];
      if (b.size() > kMaxEntrySize) {
        return Fail(ErrorCode::kVerificationFailed, upstream.name() + " sent an oversized entry");
      }
      auto entry = DecodeEntry(b, format, at + k);
      if (!entry) return std::unexpected(entry.error());
      fetched.push_back(std::move(*entry));
    }
    at = end;
  }
  return at;
}

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
  std::vector<NewEntry> fetched;
  for (uint64_t at = local->size; at < head->size;) {
    const uint64_t batch_first = at;
    auto fetched_to = FetchBatch(upstream, ledger.format(), at, head->size, fetched);
    if (!fetched_to) return std::unexpected(fetched_to.error());
    at = *fetched_to;
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
