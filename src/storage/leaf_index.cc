#include "storage/leaf_index.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace vellum::storage {
namespace {

constexpr size_t kRecord = 16;

uint64_t LoadBE(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

void StoreBE(uint64_t v, uint8_t* p) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

using Record = std::pair<uint64_t, uint64_t>;  // (key, index)

Bytes Encode(std::vector<Record>& records) {
  std::sort(records.begin(), records.end());
  Bytes out(records.size() * kRecord);
  for (size_t i = 0; i < records.size(); ++i) {
    StoreBE(records[i].first, &out[i * kRecord]);
    StoreBE(records[i].second, &out[i * kRecord + 8]);
  }
  return out;
}

// Appends to `out` every index in the run at `rowid` whose key is `key`.
Result<void> SearchRun(sqlite3* db, int64_t rowid, uint64_t key, std::vector<uint64_t>& out) {
  sqlite3_blob* blob = nullptr;
  if (sqlite3_blob_open(db, "main", "leaf_runs", "keys", rowid, 0, &blob) != SQLITE_OK) {
    sqlite3_blob_close(blob);
    return std::unexpected(SqliteError(db, "reading the leaf-hash index"));
  }
  const size_t n = static_cast<size_t>(sqlite3_blob_bytes(blob)) / kRecord;
  uint8_t buf[kRecord];
  auto read = [&](size_t i) {
    return sqlite3_blob_read(blob, buf, kRecord, static_cast<int>(i * kRecord)) == SQLITE_OK;
  };
  size_t lo = 0, hi = n;  // first record with key >= `key`
  bool ok = true;
  while (ok && lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    ok = read(mid);
    if (LoadBE(buf) < key) lo = mid + 1; else hi = mid;
  }
  for (size_t i = lo; ok && i < n && (ok = read(i)) && LoadBE(buf) == key; ++i) {
    out.push_back(LoadBE(buf + 8));
  }
  sqlite3_blob_close(blob);
  if (!ok) return std::unexpected(SqliteError(db, "reading the leaf-hash index"));
  return {};
}

}  // namespace

Bytes RunForTile(uint64_t first, std::span<const uint8_t> tile_hashes) {
  std::vector<Record> records;
  for (size_t i = 0; i * kHashSize < tile_hashes.size(); ++i) {
    records.emplace_back(LoadBE(&tile_hashes[i * kHashSize]), first + i);
  }
  return Encode(records);
}

Result<void> LeafIndex::Prepare() {
  struct {
    Stmt* stmt;
    const char* sql;
  } const all[] = {
      {&insert_, "INSERT INTO leaf_runs(first, level, keys) VALUES (?, ?, ?)"},
      {&select_level_range_,
       "SELECT keys FROM leaf_runs WHERE level = ? AND first >= ? AND first < ? ORDER BY first"},
      {&delete_level_range_, "DELETE FROM leaf_runs WHERE level = ? AND first >= ? AND first < ?"},
      {&select_all_, "SELECT first FROM leaf_runs"},
  };
  for (const auto& [stmt, sql] : all) {
    auto prepared = db_.Prepare(sql);
    if (!prepared) return std::unexpected(prepared.error());
    *stmt = std::move(*prepared);
  }
  return {};
}

Result<void> LeafIndex::AddFullTile(uint64_t tile, std::span<const uint8_t> tile_hashes) {
  const uint64_t first = tile * 256;
  insert_.Bind(1, static_cast<int64_t>(first)).Bind(2, int64_t{0});
  if (auto ok = insert_.Bind(3, RunForTile(first, tile_hashes)).Run(); !ok) return ok;
  // Tile t completes a level-l group when t + 1 is a multiple of 16^l.
  for (int level = 1; level <= kMaxRunLevel; ++level) {
    const uint64_t tiles = RunSpan(level) / 256;
    if ((tile + 1) % tiles != 0) break;
    if (auto ok = Merge(level, (tile + 1 - tiles) * 256); !ok) return ok;
  }
  return {};
}

Result<void> LeafIndex::Merge(int level, uint64_t first) {
  const auto begin = static_cast<int64_t>(first);
  const auto end = static_cast<int64_t>(first + RunSpan(level));
  select_level_range_.Bind(1, int64_t{level - 1}).Bind(2, begin).Bind(3, end);
  std::vector<Record> records;
  while (true) {
    auto row = select_level_range_.Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    auto keys = select_level_range_.Blob(0);
    for (size_t i = 0; i + kRecord <= keys.size(); i += kRecord) {
      records.emplace_back(LoadBE(&keys[i]), LoadBE(&keys[i + 8]));
    }
  }
  select_level_range_.Reset();
  delete_level_range_.Bind(1, int64_t{level - 1}).Bind(2, begin).Bind(3, end);
  if (auto ok = delete_level_range_.Run(); !ok) return ok;
  insert_.Bind(1, begin).Bind(2, int64_t{level});
  return insert_.Bind(3, Encode(records)).Run();
}

Result<std::vector<uint64_t>> LeafIndex::Candidates(const Hash& leaf_hash) {
  const uint64_t key = LoadBE(leaf_hash.data());
  std::vector<int64_t> runs;
  while (true) {
    auto row = select_all_.Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    runs.push_back(select_all_.Int(0));
  }
  select_all_.Reset();
  std::vector<uint64_t> out;
  for (int64_t rowid : runs) {
    if (auto ok = SearchRun(db_.raw(), rowid, key, out); !ok) return std::unexpected(ok.error());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vellum::storage
