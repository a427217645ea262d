// How entries are encoded into the hashed bytes and stored in the `entries` table.
#ifndef VELLUM_STORAGE_ENTRIES_H_
#define VELLUM_STORAGE_ENTRIES_H_

#include <cstdint>
#include <optional>
#include <span>

#include "storage/sqlite.h"
#include "vellum/ledger.h"

namespace vellum::storage {

// Milliseconds since the Unix epoch, now.
int64_t CurrentTimeMs();

// The leaf hash of `payload` at `time_ms` in `format` (Ledger::EncodeEntry, then LeafHash),
// without building the entry bytes.
Hash EntryLeafHash(EntryFormat format, std::optional<int64_t> time_ms,
                   std::span<const uint8_t> payload);

// The leaf hash of an entry row (columns: ts, data) at `index`, without copying the payload.
// kCorruption if the row does not fit the ledger's format.
[[nodiscard]] Result<Hash> LeafHashFromRow(const Stmt& row, int ts_col, int data_col,
                                           uint64_t index, EntryFormat format);

// Reads an entry row (columns: ts, data) at `index` and computes its leaf hash.
// kCorruption if the row does not fit the ledger's format.
[[nodiscard]] Result<Entry> EntryFromRow(const Stmt& row, int ts_col, int data_col, uint64_t index,
                                         EntryFormat format);

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_ENTRIES_H_
