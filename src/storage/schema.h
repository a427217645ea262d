// The SQL schema of a ledger file (doc/format.md describes it for people).
#ifndef VELLUM_STORAGE_SCHEMA_H_
#define VELLUM_STORAGE_SCHEMA_H_

#include <cstdint>
#include <string>

#include "storage/sqlite.h"
#include "vellum/ledger.h"

namespace vellum::storage {

inline constexpr int64_t kSchemaVersion = 1;

// Connection settings every ledger connection uses: WAL, synchronous=FULL, busy timeout.
Result<void> ConfigureConnection(Db& db, int busy_timeout_ms, bool read_only);

// Creates tables, index, view and triggers, and records the metadata. Runs in one transaction.
Result<void> CreateSchema(Db& db, const CreateOptions& options);

struct Metadata {
  int64_t schema_version = 0;
  std::string origin;
  EntryFormat format = EntryFormat::kRecord;
};

// Reads and checks the metadata without writing anything: kInvalidArgument for a file that is
// not a vellum ledger, kConflict for a newer schema version.
Result<Metadata> ReadMetadata(Db& db);

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_SCHEMA_H_
