// The SQL schema of a ledger file (doc/format.md describes it for people).
#ifndef VELLUM_STORAGE_SCHEMA_H_
#define VELLUM_STORAGE_SCHEMA_H_

#include <cstdint>
#include <functional>
#include <string>

#include "storage/sqlite.h"
#include "vellum/ledger.h"

namespace vellum::storage {

// Version 3 stores level-0 tiles with leaf-hash prefixes (storage/tile_store.h). Files of
// version 2 keep whole leaf hashes and stay version 2; version 1 files are upgraded to 2.
inline constexpr int64_t kSchemaVersion = 3;
inline constexpr int64_t kFirstPrefixedVersion = 3;

// Pragmas of every writable ledger connection. WAL: readers never block the writer. FULL: a
// committed append survives power loss. Benchmarks give their baselines the same.
inline constexpr const char* kConnectionPragmas =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;";
// The page cache of read-only connections, as large as a writer's: 64 MiB keeps the hot part of
// the leaf-hash lookup index (random keys) in memory, and the inner pages of the entry and tile
// B-trees that every random read of a large file walks (at 100M entries SQLite's default of
// 2 MiB holds too few of them, and each random read goes to the file for them again).
inline constexpr const char* kReadOnlyPragmas =
    "PRAGMA query_only = ON; PRAGMA cache_size = -65536;";

// Connection settings every ledger connection uses: the pragmas above and the busy handler
// (Db::SetBusyHandler).
[[nodiscard]] Result<void> ConfigureConnection(Db& db, int busy_timeout_ms, bool read_only,
                                               std::function<void()> on_lock_wait = {});

// Creates tables, index, view and triggers, and records the metadata. Runs in one transaction.
[[nodiscard]] Result<void> CreateSchema(Db& db, const CreateOptions& options);

struct Metadata {
  int64_t schema_version = 0;
  std::string origin;
  EntryFormat format = EntryFormat::kRecord;
  std::string verifier_key;  // may be empty
  bool mirror = false;       // takes entries only through Ledger::AppendVerified
  // Level-0 tiles store leaf-hash prefixes, not whole hashes (storage/tile_store.h).
  bool leaf_prefixes() const { return schema_version >= kFirstPrefixedVersion; }
};

// Reads and checks the metadata without writing anything: kInvalidArgument for a file that is
// not a vellum ledger, kConflict for a newer schema version.
[[nodiscard]] Result<Metadata> ReadMetadata(Db& db);

// Brings a version 1 file up to version 2 in one transaction (doc/format.md lists the changes)
// and updates `meta`. Later versions change how tiles are stored, which an upgrade would have to
// rewrite: version 2 files stay as they are. REQUIRES: a writable connection.
[[nodiscard]] Result<void> UpgradeSchema(Db& db, Metadata& meta);

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_SCHEMA_H_
