#include "storage/schema.h"

#include <charconv>
#include <string>

#include "vellum/merkle.h"

namespace vellum::storage {
namespace {

// Triggers carry the append-only rule inside SQLite, so plain sqlite3 users cannot rewrite
// history by accident. Someone who drops them is caught by Ledger::Verify().
constexpr const char* kSchema = R"sql(
CREATE TABLE vellum_meta(
  key   TEXT PRIMARY KEY,
  value ANY NOT NULL
) STRICT;
CREATE TABLE entries(
  idx  INTEGER PRIMARY KEY,       -- 0-based entry index
  ts   INTEGER,                   -- ms since the epoch (record format), NULL (raw format)
  data ANY NOT NULL               -- payload; TEXT when valid UTF-8, else BLOB
) STRICT;
CREATE TABLE tiles(
  level  INTEGER NOT NULL,        -- tile level L: tree level 8L
  idx    INTEGER NOT NULL,        -- tile index N
  hashes BLOB NOT NULL,           -- level 0: width * 4 (leaf-hash prefixes); above: tlog-tiles bytes
  inner  BLOB NOT NULL,           -- hashes of local levels 1..7, in completion order
  PRIMARY KEY (level, idx)
) STRICT;
CREATE TABLE leaf_runs(           -- leaf-hash lookup index (storage/leaf_index.h)
  first INTEGER PRIMARY KEY,      -- first entry index the run covers
  level INTEGER NOT NULL,         -- 1 or 2: covers 256 << 4*level entries
  keys  BLOB NOT NULL             -- sorted 8-byte (hash prefix, offset) records
) STRICT;
CREATE TABLE head(
  id   INTEGER PRIMARY KEY CHECK (id = 0),
  size INTEGER NOT NULL,
  root BLOB NOT NULL
) STRICT;
CREATE TABLE checkpoints(         -- every checkpoint this ledger's key signed
  id        INTEGER PRIMARY KEY,
  size      INTEGER NOT NULL,
  root      BLOB NOT NULL,
  note      TEXT NOT NULL,        -- the signed note, exactly as issued
  signed_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE fork_evidence(       -- two signed checkpoints that cannot both be true
  id          INTEGER PRIMARY KEY,
  peer        TEXT NOT NULL,
  fork_index  INTEGER NOT NULL,   -- first index where the histories differ
  local_note  TEXT NOT NULL,
  peer_note   TEXT NOT NULL,
  found_ms    INTEGER NOT NULL,
  local_leaf  BLOB NOT NULL DEFAULT x'',  -- the two different leaf hashes at fork_index and
  local_proof BLOB NOT NULL DEFAULT x'',  -- their inclusion proofs (32-byte hashes joined) in
  peer_leaf   BLOB NOT NULL DEFAULT x'',  -- the trees of local_note and peer_note; empty in
  peer_proof  BLOB NOT NULL DEFAULT x'',  -- evidence kept before schema version 2
  UNIQUE (peer, peer_note)
) STRICT;
CREATE VIEW records AS
  SELECT e.idx AS idx,
         e.ts AS ts,
         CASE WHEN e.ts IS NULL THEN NULL
              ELSE strftime('%Y-%m-%dT%H:%M:%fZ', e.ts / 1000.0, 'unixepoch') END AS time,
         e.data AS data,
         lower(hex(substr(t.hashes, (e.idx % 256) * 4 + 1, 4))) AS leaf_prefix
  FROM entries e LEFT JOIN tiles t ON t.level = 0 AND t.idx = e.idx / 256;

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN
  SELECT RAISE(ABORT, 'vellum: ledger entries are append-only; UPDATE is refused');
END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries BEGIN
  SELECT RAISE(ABORT, 'vellum: ledger entries are append-only; DELETE is refused');
END;
CREATE TRIGGER tiles_only_grow BEFORE UPDATE ON tiles
  WHEN NEW.level IS NOT OLD.level OR NEW.idx IS NOT OLD.idx
    OR substr(NEW.hashes, 1, length(OLD.hashes)) IS NOT OLD.hashes
    OR (length(OLD.inner) > 0 AND substr(NEW.inner, 1, length(OLD.inner)) IS NOT OLD.inner)
    BEGIN
  SELECT RAISE(ABORT, 'vellum: tree hashes are append-only; a tile may only grow');
END;
CREATE TRIGGER tiles_no_delete BEFORE DELETE ON tiles BEGIN
  SELECT RAISE(ABORT, 'vellum: tree hashes are append-only; DELETE is refused');
END;
CREATE TRIGGER head_only_grows BEFORE UPDATE ON head WHEN NEW.size < OLD.size BEGIN
  SELECT RAISE(ABORT, 'vellum: the ledger head may only grow');
END;
CREATE TRIGGER head_no_delete BEFORE DELETE ON head BEGIN
  SELECT RAISE(ABORT, 'vellum: the ledger head cannot be deleted');
END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN
  SELECT RAISE(ABORT, 'vellum: signed checkpoints are permanent; UPDATE is refused');
END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN
  SELECT RAISE(ABORT, 'vellum: signed checkpoints are permanent; DELETE is refused');
END;
CREATE TRIGGER fork_evidence_no_update BEFORE UPDATE ON fork_evidence BEGIN
  SELECT RAISE(ABORT, 'vellum: fork evidence is permanent; UPDATE is refused');
END;
CREATE TRIGGER fork_evidence_no_delete BEFORE DELETE ON fork_evidence BEGIN
  SELECT RAISE(ABORT, 'vellum: fork evidence is permanent; DELETE is refused');
END;
CREATE TRIGGER meta_no_update BEFORE UPDATE ON vellum_meta WHEN OLD.key != 'schema_version' BEGIN
  SELECT RAISE(ABORT, 'vellum: ledger metadata is immutable');
END;
CREATE TRIGGER meta_no_delete BEFORE DELETE ON vellum_meta BEGIN
  SELECT RAISE(ABORT, 'vellum: ledger metadata is immutable');
END;
)sql";

[[nodiscard]] Result<std::string> MetaText(Db& db, const char* key) {
  auto stmt = db.Prepare("SELECT value FROM vellum_meta WHERE key = ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->BindText(1, key);
  auto row = stmt->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) {
    return Fail(ErrorCode::kCorruption,
                db.path() + ": ledger metadata has no '" + std::string(key) + "'");
  }
  return stmt->Text(0);
}

// Keys added by later schema versions are absent from older files: "" then.
[[nodiscard]] Result<std::string> OptionalMetaText(Db& db, const char* key) {
  auto stmt = db.Prepare("SELECT value FROM vellum_meta WHERE key = ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->BindText(1, key);
  auto row = stmt->Step();
  if (!row) return std::unexpected(row.error());
  return *row ? stmt->Text(0) : std::string();
}

// Version 1 -> 2: fork evidence carries the inclusion proofs that make it checkable offline;
// ledgers say whether they are mirrors (version 1 files are writers).
constexpr const char* kUpgradeTo2 = R"sql(
ALTER TABLE fork_evidence ADD COLUMN local_leaf BLOB NOT NULL DEFAULT x'';
ALTER TABLE fork_evidence ADD COLUMN local_proof BLOB NOT NULL DEFAULT x'';
ALTER TABLE fork_evidence ADD COLUMN peer_leaf BLOB NOT NULL DEFAULT x'';
ALTER TABLE fork_evidence ADD COLUMN peer_proof BLOB NOT NULL DEFAULT x'';
INSERT INTO vellum_meta(key, value) VALUES ('role', 'writer');
UPDATE vellum_meta SET value = '2' WHERE key = 'schema_version';
)sql";

}  // namespace

Result<void> UpgradeSchema(Db& db, Metadata& meta) {
  if (meta.schema_version >= 2) return {};
  if (auto ok = db.Exec("BEGIN IMMEDIATE"); !ok) return ok;
  auto version = MetaText(db, "schema_version");  // another process may have upgraded it
  if (version && *version == "1") {
    if (auto ok = db.Exec(kUpgradeTo2); !ok) {
      (void)db.Exec("ROLLBACK");
      return ok;
    }
  }
  if (auto ok = db.Exec("COMMIT"); !ok) return ok;
  meta.schema_version = 2;
  return {};
}

Result<void> ConfigureConnection(Db& db, int busy_timeout_ms, bool read_only,
                                 std::function<void()> on_lock_wait) {
  db.SetBusyHandler(busy_timeout_ms, std::move(on_lock_wait));
  if (read_only) return db.Exec(kReadOnlyPragmas);
  return db.Exec(kConnectionPragmas);
}

Result<void> CreateSchema(Db& db, const CreateOptions& options) {
  if (auto ok = db.Exec("BEGIN IMMEDIATE"); !ok) return ok;
  auto fail = [&](Error e) -> Result<void> {
    (void)db.Exec("ROLLBACK");
    return std::unexpected(std::move(e));
  };
  if (auto ok = db.Exec(kSchema); !ok) return fail(ok.error());
  auto meta = db.Prepare("INSERT INTO vellum_meta(key, value) VALUES (?, ?)");
  if (!meta) return fail(meta.error());
  const std::pair<const char*, std::string> rows[] = {
      {"schema_version", std::to_string(kSchemaVersion)},
      {"origin", options.origin},
      {"entry_format", std::string(EntryFormatName(options.format))},
      {"verifier_key", options.verifier_key},
      {"role", options.mirror ? "mirror" : "writer"},
  };
  for (const auto& [key, value] : rows) {
    if (auto ok = meta->BindText(1, key).BindText(2, value).Run(); !ok) return fail(ok.error());
  }
  auto head = db.Prepare("INSERT INTO head(id, size, root) VALUES (0, 0, ?)");
  if (!head) return fail(head.error());
  if (auto ok = head->Bind(1, merkle::EmptyRoot()).Run(); !ok) return fail(ok.error());
  return db.Exec("COMMIT");
}

Result<Metadata> ReadMetadata(Db& db) {
  auto probe = db.Prepare(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'vellum_meta'");
  if (!probe) {
    if ((sqlite3_errcode(db.raw()) & 0xff) == SQLITE_CORRUPT) {
      return Fail(ErrorCode::kCorruption,
                  db.path() + " is damaged: " + sqlite3_errmsg(db.raw()) + " (was it truncated?)");
    }
    if ((sqlite3_errcode(db.raw()) & 0xff) == SQLITE_NOTADB) {
      return Fail(ErrorCode::kInvalidArgument,
                  db.path() + " is not a vellum ledger (" + probe.error().message() + ")");
    }
    return Fail(probe.error().code(), "cannot read " + db.path() + ": " + probe.error().message());
  }
  auto row = probe->Step();
  if (!row) return std::unexpected(row.error());
  if (probe->Int(0) == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                db.path() +
                    " is not a vellum ledger (no vellum_meta table); create one with "
                    "'vellum init'");
  }
  Metadata meta;
  auto version = MetaText(db, "schema_version");
  if (!version) return std::unexpected(version.error());
  auto [end, ec] =
      std::from_chars(version->data(), version->data() + version->size(), meta.schema_version);
  if (ec != std::errc() || end != version->data() + version->size()) {
    return Fail(ErrorCode::kCorruption, db.path() + ": bad schema version '" + *version + "'");
  }
  if (meta.schema_version > kSchemaVersion) {
    return Fail(ErrorCode::kConflict, db.path() + " has ledger schema version " + *version +
                                          ", newer than this vellum supports (" +
                                          std::to_string(kSchemaVersion) + "); upgrade vellum");
  }
  auto origin = MetaText(db, "origin");
  if (!origin) return std::unexpected(origin.error());
  meta.origin = *origin;
  auto format_name = MetaText(db, "entry_format");
  if (!format_name) return std::unexpected(format_name.error());
  auto format = ParseEntryFormat(*format_name);
  if (!format) return Fail(ErrorCode::kCorruption, db.path() + ": " + format.error().message());
  meta.format = *format;
  auto verifier_key = MetaText(db, "verifier_key");
  if (!verifier_key) return std::unexpected(verifier_key.error());
  meta.verifier_key = *verifier_key;
  auto role = OptionalMetaText(db, "role");
  if (!role) return std::unexpected(role.error());
  if (*role != "" && *role != "writer" && *role != "mirror") {
    return Fail(ErrorCode::kCorruption, db.path() + ": unknown ledger role '" + *role + "'");
  }
  meta.mirror = *role == "mirror";
  return meta;
}

}  // namespace vellum::storage
