// Whole-file integrity check of a ledger: every entry against its stored leaf hash (or, in
// schema 3, its prefix), every stored tree hash against the hashes below it, and the head
// against the stored tree.
#ifndef VELLUM_STORAGE_VERIFY_H_
#define VELLUM_STORAGE_VERIFY_H_

#include "storage/schema.h"
#include "storage/sqlite.h"
#include "vellum/ledger.h"

namespace vellum::storage {

// Reads the whole file inside one read transaction. Never writes.
[[nodiscard]] Result<VerifyReport> VerifyLedger(Db& db, const Metadata& meta,
                                                const ProgressFn& progress);

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_VERIFY_H_
