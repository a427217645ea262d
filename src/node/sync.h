// Mirroring: bring a local ledger up to an upstream's signed checkpoint. Everything is verified
// before it is written: the checkpoint's signature (by the view), consistency with what the
// mirror already holds, and, for each batch of up to 65,536 fetched entries, that the tree they
// extend the mirror to is proven a prefix of the signed tree (the last batch: that it rebuilds
// exactly the signed root). Local data is never overwritten or deleted; a sync that is stopped
// keeps the batches it proved.
#ifndef VELLUM_NODE_SYNC_H_
#define VELLUM_NODE_SYNC_H_

#include <functional>
#include <optional>

#include "node/ledger_view.h"

namespace vellum::node {

struct SyncResult {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  Hash root{};  // of the mirror afterwards (SyncInto)
};

// Called after each batch with (entries verified and written, entries to write).
using SyncProgress = std::function<void(uint64_t, uint64_t)>;

// Entries go in through Ledger::AppendVerified with the upstream's signed checkpoint, so the
// ledger itself refuses anything the checkpoint does not vouch for. `upstream` must have been
// opened with the upstream's verifier key. REQUIRES: `ledger` has the upstream's format.
[[nodiscard]] Result<SyncResult> SyncFrom(Ledger& ledger, LedgerView& upstream,
                                          const SyncProgress& progress = nullptr);

// Opens the mirror ledger at `path` (it must belong to `verifier_key`), or creates it as a
// mirror (CreateOptions::mirror) from the upstream's signed origin, with `verifier_key` (the
// upstream's) and `format` (default record) when the file does not exist yet. The upstream's
// unsigned /v1/status must agree with the format: a disagreement is refused, never guessed. An
// upstream that serves only tlog-tiles says nothing of its format: `format` must be given.
[[nodiscard]] Result<std::unique_ptr<Ledger>> OpenOrCreateMirror(const std::string& path,
                                                                 LedgerView& upstream,
                                                                 const std::string& verifier_key,
                                                                 std::optional<EntryFormat> format);

// `vellum sync`: opens or creates the mirror at `path` (OpenOrCreateMirror) and syncs it from
// `upstream`. A mirror this call created is removed again when the sync is refused before it
// wrote anything, so a refused first sync leaves no file behind.
[[nodiscard]] Result<SyncResult> SyncInto(const std::string& path, LedgerView& upstream,
                                          const std::string& verifier_key,
                                          std::optional<EntryFormat> format,
                                          const SyncProgress& progress = nullptr);

}  // namespace vellum::node

#endif  // VELLUM_NODE_SYNC_H_
