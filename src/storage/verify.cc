// Verify checks each stored layer against the one below it, so damage is pinned to the layer
// where it was made: entries against level-0 tile hashes, each tile's inner hashes against its
// bottom row, each full tile's root against the tile above, and the head against the tiles.
// (Checking against a recomputed tree instead would blame every hash above a changed entry.)
// A schema-3 file stores only a prefix of each leaf hash: an entry is checked against it, and
// its level-0 tile's inner hashes against the leaf hashes recomputed from the entries.
#include "storage/verify.h"

#include <algorithm>
#include <string>

#include "storage/entries.h"
#include "storage/tile_layout.h"
#include "storage/tile_store.h"
#include "vellum/checkpoint.h"
#include "vellum/merkle.h"

namespace vellum::storage {
namespace {

using Problem = VerifyReport::Problem;

std::string TileName(int64_t level, uint64_t index) {
  return "tile " + std::to_string(level) + "/" + std::to_string(index);
}

// True when the lowest stored hash above bottom hash `pos` (local level 3, eight leaves) is
// rebuilt by `leaf` and the seven neighbours in `tile`'s bottom row: then the entry is intact
// and only what the bottom row stores of it was altered.
bool StoredAncestorMatches(const TileBlob& tile, uint64_t pos, const Hash& leaf) {
  constexpr uint64_t kGroup = uint64_t{1} << kFirstInnerLevel;
  const uint64_t first = pos / kGroup * kGroup;
  Hash level[kGroup];
  for (uint64_t i = 0; i < kGroup; ++i) {
    auto h = HashInTile(tile, {{}, 0, first + i});
    if (!h) return false;  // the group is not complete: nothing stored to compare with
    level[i] = first + i == pos ? leaf : *h;
  }
  for (uint64_t n = kGroup; n > 1; n /= 2) {
    for (uint64_t i = 0; i < n / 2; ++i)
      level[i] = merkle::NodeHash(level[2 * i], level[2 * i + 1]);
  }
  auto stored = HashInTile(tile, {{}, kFirstInnerLevel, pos / kGroup});
  return stored && *stored == level[0];
}

class Verifier {
 public:
  Verifier(Db& db, const Metadata& meta, const ProgressFn& progress)
      : db_(db),
        verifier_key_(meta.verifier_key),
        format_(meta.format),
        prefixes_(meta.leaf_prefixes()),
        progress_(progress),
        tiles_(db, meta.format, meta.leaf_prefixes()) {}

  Result<VerifyReport> Run();

 private:
  // Records a problem; the report keeps the one at the lowest entry index.
  void Note(std::optional<uint64_t> index, Problem problem, std::string message);
  bool FoundAtOrBefore(uint64_t index) const {
    return report_.first_bad_index && *report_.first_bad_index <= index;
  }
  [[nodiscard]] Result<void> CheckEntries();
  // Collects the leaf hash of entry `index`, computed from its bytes; a level-0 tile's leaf
  // hashes are checked together (CheckLeafTile) once its last entry is read.
  [[nodiscard]] Result<void> AddLeafHash(uint64_t index, const Hash& leaf_hash);
  // Compares the collected leaf hashes of level-0 tile leaf_tile_index_ with what the tile
  // stores of them; in schema 3 also checks the tile's inner hashes against them.
  [[nodiscard]] Result<void> CheckLeafTile();
  // CheckLeafTile now, with the leaf hashes collected so far, and not again for this tile.
  [[nodiscard]] Result<void> FlushLeafTile() {
    auto checked = CheckLeafTile();
    leaves_whole_ = false;
    return checked;
  }
  [[nodiscard]] Result<void> CheckTiles();
  [[nodiscard]] Result<void> CheckTile(int64_t level, uint64_t index, const TileBlob& stored);
  // Rebuilds the tile's inner hashes from its bottom row, comparing each with the stored one;
  // returns the tile's root, or nothing once a mismatch is noted.
  std::optional<Hash> CheckInnerHashes(int64_t level, uint64_t index, const TileBlob& stored,
                                       uint32_t width);
  // A full tile's root is stored again as one hash of the tile above.
  [[nodiscard]] Result<void> CheckRootAbove(int64_t level, uint64_t index, const Hash& root);
  // The first entry under bottom position `pos` of tile (level, index).
  static uint64_t FirstLeaf(int64_t level, uint64_t index, uint64_t pos) {
    return (index * kTileWidth + pos) << (static_cast<unsigned>(level) * kTileHeight);
  }
  // A changed hash below a node makes the node mismatch too: a problem already noted inside
  // entries [a, b) explains it.
  bool Explained(uint64_t a, uint64_t b) const {
    return report_.first_bad_index && a <= *report_.first_bad_index && *report_.first_bad_index < b;
  }
  [[nodiscard]] Result<void> CheckHead(const Hash& root);
  // The newest and the largest recorded checkpoints must verify with the ledger's key and sign
  // the stored tree's root at their size: the tree may be rewritten consistently from the
  // entries up, but not re-signed.
  [[nodiscard]] Result<void> CheckCheckpoints();

  Db& db_;
  std::string verifier_key_;
  EntryFormat format_;
  bool prefixes_;  // schema 3: level-0 tiles store leaf-hash prefixes
  const ProgressFn& progress_;
  uint64_t size_ = 0;
  VerifyReport report_;
  TileReader tiles_;
  Bytes leaves_;  // leaf hashes of level-0 tile leaf_tile_index_ collected so far, in order
  uint64_t leaf_tile_index_ = UINT64_MAX;
  bool leaves_whole_ = true;  // no entry of the tile was missing, and it is not checked yet
};

void Verifier::Note(std::optional<uint64_t> index, Problem problem, std::string message) {
  const bool better =
      report_.ok || (index && (!report_.first_bad_index || *index < *report_.first_bad_index));
  if (!better) return;
  report_.ok = false;
  report_.first_bad_index = index;
  report_.problem = problem;
  report_.message = std::move(message);
}

Result<void> Verifier::CheckEntries() {
  auto scan = db_.Prepare("SELECT idx, ts, data FROM entries ORDER BY idx");
  if (!scan) return std::unexpected(scan.error());
  uint64_t expected = 0;
  while (true) {
    auto row = scan->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    const auto idx = static_cast<uint64_t>(scan->Int(0));
    if ((idx > expected && expected < size_) || idx >= size_) {
      // A problem at idx: first settle the leaf hashes read before it, which may name a lower one.
      if (auto ok = FlushLeafTile(); !ok) return ok;
    }
    if (idx > expected && expected < size_) {
      Note(expected, Problem::kEntryMissing, "entry " + std::to_string(expected) + " is missing");
    }
    if (idx >= size_) {
      Note(idx, Problem::kExtraEntry,
           "entry " + std::to_string(idx) + " is stored beyond the ledger head (size " +
               std::to_string(size_) + "): it was added behind vellum's back");
      break;
    }
    if (FoundAtOrBefore(idx)) break;  // nothing later in this scan can come first
    expected = idx + 1;
    ++report_.entries_checked;
    if (progress_ && report_.entries_checked % 16384 == 0) {
      progress_(report_.entries_checked, size_);
    }
    auto leaf = LeafHashFromRow(*scan, 1, 2, idx, format_);
    if (!leaf) {
      if (auto ok = FlushLeafTile(); !ok) return ok;
      Note(idx, Problem::kEntryChanged,
           "entry " + std::to_string(idx) + " was changed: " + leaf.error().message());
      continue;
    }
    if (auto ok = AddLeafHash(idx, *leaf); !ok) return ok;
  }
  // Entries missing at the end were noted by Run, which checks only what is stored.
  return FlushLeafTile();
}

Result<void> Verifier::AddLeafHash(uint64_t index, const Hash& leaf_hash) {
  if (index / kTileWidth != leaf_tile_index_) {
    if (auto ok = CheckLeafTile(); !ok) return ok;
    leaf_tile_index_ = index / kTileWidth;
    leaves_.clear();
    leaves_whole_ = true;
  }
  if (index % kTileWidth != leaves_.size() / kHashSize) leaves_whole_ = false;  // one is missing
  leaves_.insert(leaves_.end(), leaf_hash.begin(), leaf_hash.end());
  return {};
}

Result<void> Verifier::CheckLeafTile() {
  if (leaf_tile_index_ == UINT64_MAX || !leaves_whole_) return {};  // a problem is noted already
  const uint64_t t = leaf_tile_index_;
  auto blob = tiles_.ReadStored({0, t});
  if (!blob) return std::unexpected(blob.error());
  const size_t unit = tiles_.stored_leaf_size();
  const uint32_t width = TileWidthAt(0, t, size_);
  // Schema 3: the bottom row is the recomputed leaf hashes, and what is stored is checked here.
  TileBlob tile = !*blob ? TileBlob{} : prefixes_ ? TileBlob{leaves_, (*blob)->inner} : **blob;
  for (uint64_t pos = 0; pos * kHashSize < leaves_.size(); ++pos) {
    const uint64_t index = t * kTileWidth + pos;
    const auto leaf = *HashFromBytes(std::span(leaves_).subspan(pos * kHashSize, kHashSize));
    const bool stored = *blob && (pos + 1) * unit <= (*blob)->hashes.size();
    if (!stored) {
      Note(
          index, Problem::kTreeHashChanged,
          "the leaf hash of entry " + std::to_string(index) + " is missing from " + TileName(0, t));
      break;
    }
    if (std::equal(leaf.begin(), leaf.begin() + unit, (*blob)->hashes.begin() + pos * unit)) {
      continue;
    }
    if (StoredAncestorMatches(tile, pos, leaf)) {
      Note(index, Problem::kTreeHashChanged,
           "the stored leaf hash of entry " + std::to_string(index) +
               " was changed (the entry and the hash above it agree)");
    } else {
      Note(index, Problem::kEntryChanged,
           "entry " + std::to_string(index) +
               " was changed: its bytes no longer hash to the stored leaf hash");
    }
    break;  // the first one in the tile is the one to name
  }
  if (!prefixes_ || !*blob || FoundAtOrBefore(t * kTileWidth + width - 1)) return {};
  const uint64_t stored_width = (*blob)->hashes.size() / unit;
  if (stored_width != width) {
    Note(FirstLeaf(0, t, std::min<uint64_t>(stored_width, width)), Problem::kTreeHashChanged,
         TileName(0, t) + " holds " + std::to_string(stored_width) +
             " leaf hashes where the head needs " + std::to_string(width));
    return {};
  }
  if (tile.inner.size() != InnerCount(width) * kHashSize) {  // as CheckTile: then compare them
    Note(FirstLeaf(0, t, width), Problem::kTreeHashChanged,
         TileName(0, t) + " holds " + std::to_string(tile.inner.size() / kHashSize) +
             " inner hashes where its width needs " + std::to_string(InnerCount(width)));
  }
  const std::optional<Hash> root = CheckInnerHashes(0, t, tile, width);
  if (!root || width < kTileWidth) return {};
  return CheckRootAbove(0, t, *root);
}

// A tile at tile level L (tree level 8L) and index N covers entries [N*256 << 8L, (N+1)*256 << 8L).
// Its bottom row of hashes is stored whole; the inner hashes (tree levels 8L+3 .. 8L+7, see
// tile_layout.h) are checked against the ones rebuilt from that row, and the tile's root (its
// level 8L+8 hash, once the tile is full) against the hash stored for it in the tile above:
//
//   tile (L+1, N/256):   ...  [h_N%256]  ...            <- must equal the root rebuilt below
//                                  |
//   tile (L, N):        inner 8L+7 .. 8L+3 (rebuilt, compared as each completes)
//                       bottom row: 256 hashes of tree level 8L
Result<void> Verifier::CheckTile(int64_t level, uint64_t index, const TileBlob& stored) {
  const uint32_t width = TileWidthAt(static_cast<uint8_t>(level), index, size_);
  if (stored.hashes.size() != width * kHashSize ||
      stored.inner.size() != InnerCount(width) * kHashSize) {
    const uint64_t at = std::min<uint64_t>(stored.width(), width);
    Note(FirstLeaf(level, index, at), Problem::kTreeHashChanged,
         TileName(level, index) + " holds " + std::to_string(stored.width()) +
             " hashes where the head needs " + std::to_string(width));
    if (width == 0) return {};
  }
  const std::optional<Hash> root = CheckInnerHashes(level, index, stored, width);
  if (!root) return {};
  return CheckRootAbove(level, index, *root);
}

std::optional<Hash> Verifier::CheckInnerHashes(int64_t level, uint64_t index,
                                               const TileBlob& stored, uint32_t width) {
  TileBlob rebuilt;
  std::optional<Hash> root;
  for (uint32_t i = 0; i < width && (i + 1) * kHashSize <= stored.hashes.size(); ++i) {
    const size_t before = rebuilt.inner.size() / kHashSize;
    root = AppendToTile(rebuilt,
                        *HashFromBytes(std::span(stored.hashes).subspan(i * kHashSize, kHashSize)));
    for (size_t j = before; j < rebuilt.inner.size() / kHashSize; ++j) {
      const unsigned r = static_cast<unsigned>(j - before) + kFirstInnerLevel;
      const bool same = (j + 1) * kHashSize <= stored.inner.size() &&
                        std::equal(rebuilt.inner.begin() + j * kHashSize,
                                   rebuilt.inner.begin() + (j + 1) * kHashSize,
                                   stored.inner.begin() + j * kHashSize);
      const uint64_t a = FirstLeaf(level, index, i + 1 - (1u << r));
      const uint64_t b = FirstLeaf(level, index, i + 1);
      if (!same && !Explained(a, b)) {
        Note(a, Problem::kTreeHashChanged,
             "the stored tree hash of entries " + std::to_string(a) + " to " +
                 std::to_string(b - 1) + " in " + TileName(level, index) +
                 " does not match the hashes below it");
        return std::nullopt;
      }
    }
  }
  return root;
}

Result<void> Verifier::CheckRootAbove(int64_t level, uint64_t index, const Hash& root) {
  auto above = tiles_.ReadStored({static_cast<uint8_t>(level + 1), index / kTileWidth});
  if (!above) return std::unexpected(above.error());
  auto stored_root = *above ? HashInTile(**above, {{}, 0, index % kTileWidth})
                            : Result<Hash>(std::unexpected(Error(ErrorCode::kCorruption, "")));
  const uint64_t a = FirstLeaf(level, index, 0), b = FirstLeaf(level, index, kTileWidth);
  if ((!stored_root || *stored_root != root) && !Explained(a, b)) {
    Note(a, Problem::kTreeHashChanged,
         "the stored tree hash of entries " + std::to_string(a) + " to " + std::to_string(b - 1) +
             " in " + TileName(level + 1, index / kTileWidth) +
             (stored_root ? " does not match the tile below it" : " is missing"));
  }
  return {};
}

Result<void> Verifier::CheckTiles() {
  auto scan = db_.Prepare("SELECT level, idx, hashes, inner FROM tiles ORDER BY level, idx");
  if (!scan) return std::unexpected(scan.error());
  int64_t level = -1;
  uint64_t next = 0;  // next tile index expected at `level`
  auto missing_until = [&](int64_t lvl, uint64_t upto) {
    const unsigned shift = static_cast<unsigned>(lvl) * kTileHeight;
    while (next < upto && TileWidthAt(static_cast<uint8_t>(lvl), next, size_) > 0) {
      const uint64_t a = (next * kTileWidth) << shift;
      Note(a, Problem::kTreeHashChanged, TileName(lvl, next) + " is missing");
      ++next;
    }
  };
  while (true) {
    auto row = scan->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    const int64_t tile_level = scan->Int(0);
    const auto index = static_cast<uint64_t>(scan->Int(1));
    if (tile_level != level) {
      if (level >= 0) missing_until(level, UINT64_MAX);
      level = tile_level;
      next = 0;
    }
    if (level < 0 || level >= 8) {
      Note(std::nullopt, Problem::kTreeHashChanged, "a tile has an impossible level");
      continue;
    }
    missing_until(level, index);
    next = index + 1;
    if (TileWidthAt(static_cast<uint8_t>(level), index, size_) == 0) {
      // Nothing below the head is wrong: the first index it concerns is past it.
      Note(std::max(FirstLeaf(level, index, 0), size_), Problem::kTreeHashChanged,
           TileName(level, index) + " is stored beyond the ledger head (size " +
               std::to_string(size_) + "): it was added behind vellum's back");
      continue;
    }
    if (prefixes_ && level == 0) continue;  // checked with the entries (CheckLeafTile)
    auto hashes = scan->Blob(2), inner = scan->Blob(3);
    TileBlob stored{Bytes(hashes.begin(), hashes.end()), Bytes(inner.begin(), inner.end())};
    if (auto ok = CheckTile(level, index, stored); !ok) return ok;
  }
  if (level >= 0) missing_until(level, UINT64_MAX);
  for (int64_t l = level + 1; l < 8 && TileWidthAt(static_cast<uint8_t>(l), 0, size_) > 0; ++l) {
    next = 0;
    missing_until(l, UINT64_MAX);
  }
  return {};
}

Result<void> Verifier::CheckHead(const Hash& root) {
  TileHashSource source(tiles_);
  auto computed = merkle::RootAt(source, size_);
  if (!computed || *computed != root) {
    Note(
        std::nullopt, Problem::kHeadMismatch,
        "the stored head root is not the root of the stored tree of size " + std::to_string(size_));
  }
  return {};
}

Result<void> Verifier::CheckCheckpoints() {
  // The newest (what is served and put in receipts) and the largest (what the next signature
  // must extend, and what covers the most entries): a ledger signs a checkpoint as often as
  // every second, and checking each of millions would cost more than the entries themselves.
  auto scan = db_.Prepare(
      "SELECT id, size, root, note FROM checkpoints WHERE id = (SELECT max(id) FROM checkpoints) "
      "OR id = (SELECT id FROM checkpoints ORDER BY size DESC, id DESC LIMIT 1) ORDER BY id");
  if (!scan) return std::unexpected(scan.error());
  std::vector<VerifierKey> keys;
  if (auto key = VerifierKey::Parse(verifier_key_)) keys.push_back(*key);
  TileHashSource source(tiles_);
  while (true) {
    auto row = scan->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return {};
    const std::string name = "the checkpoint recorded as #" + std::to_string(scan->Int(0));
    auto refuse = [&](const std::string& why) {
      Note(std::nullopt, Problem::kCheckpointMismatch, name + " " + why);
    };
    auto checkpoint = OpenCheckpoint(scan->Text(3), keys);
    if (!checkpoint) {
      refuse("does not verify with the ledger's key " + verifier_key_ + ": " +
             checkpoint.error().message());
      return {};
    }
    const std::string size = std::to_string(checkpoint->size);
    auto root_column = HashFromBytes(scan->Blob(2));
    if (static_cast<uint64_t>(scan->Int(1)) != checkpoint->size || !root_column ||
        *root_column != checkpoint->root) {
      refuse("has a size or root column that is not what its note signed");
      return {};
    }
    if (checkpoint->size > size_) {
      refuse("is of size " + size + ", past the head (size " + std::to_string(size_) + ")");
      return {};
    }
    auto root = merkle::RootAt(source, checkpoint->size);
    if (!root) return std::unexpected(root.error());
    if (*root != checkpoint->root) {
      refuse("signed another root at size " + size + " than the stored tree has: entries before " +
             size + " were rewritten after it was signed (their tree and head with them)");
      return {};
    }
  }
}

Result<VerifyReport> Verifier::Run() {
  if (auto ok = tiles_.Prepare(); !ok) return std::unexpected(ok.error());
  auto head = db_.Prepare("SELECT size, root FROM head WHERE id = 0");
  if (!head) return std::unexpected(head.error());
  auto row = head->Step();
  if (!row) return std::unexpected(row.error());
  auto root = *row ? HashFromBytes(head->Blob(1)) : Result<Hash>(Fail(ErrorCode::kCorruption, ""));
  if (!root) {
    Note(std::nullopt, Problem::kHeadMismatch, "the ledger head is missing or damaged");
    return report_;
  }
  size_ = static_cast<uint64_t>(head->Int(0));
  report_.size = size_;
  // A head past the last stored entry: the file ends early, or its head was raised. What is
  // stored is then checked as the ledger of that many entries, so that nothing below the end
  // is blamed for it (a missing upper tile would otherwise name entry 0).
  auto last = db_.Prepare("SELECT max(idx) FROM entries");
  if (!last) return std::unexpected(last.error());
  if (auto got = last->Step(); !got) return std::unexpected(got.error());
  const uint64_t stored_end = last->IsNull(0) ? 0 : static_cast<uint64_t>(last->Int(0)) + 1;
  if (stored_end < size_) {
    Note(stored_end, Problem::kEntryMissing,
         "the head says the ledger has " + std::to_string(size_) +
             " entries, but the file ends at " + std::to_string(stored_end) + ": entries " +
             std::to_string(stored_end) + " to " + std::to_string(size_ - 1) +
             " are missing (deleted, or the head was raised behind vellum's back)");
    size_ = stored_end;
  }
  if (auto ok = CheckEntries(); !ok) return std::unexpected(ok.error());
  if (auto ok = CheckTiles(); !ok) return std::unexpected(ok.error());
  if (report_.ok) {
    if (auto ok = CheckHead(*root); !ok) return std::unexpected(ok.error());
  }
  if (report_.ok) {
    if (auto ok = CheckCheckpoints(); !ok) return std::unexpected(ok.error());
  }
  if (progress_) progress_(report_.entries_checked, size_);
  return report_;
}

}  // namespace

Result<VerifyReport> VerifyLedger(Db& db, const Metadata& meta, const ProgressFn& progress) {
  if (auto ok = db.Exec("BEGIN"); !ok) return std::unexpected(ok.error());
  Verifier verifier(db, meta, progress);
  auto report = verifier.Run();
  (void)db.Exec("COMMIT");
  return report;
}

}  // namespace vellum::storage

namespace vellum {

std::string_view ProblemName(VerifyReport::Problem problem) {
  switch (problem) {
    case VerifyReport::Problem::kNone:
      return "none";
    case VerifyReport::Problem::kEntryChanged:
      return "entry changed";
    case VerifyReport::Problem::kEntryMissing:
      return "entry missing";
    case VerifyReport::Problem::kExtraEntry:
      return "extra entry";
    case VerifyReport::Problem::kTreeHashChanged:
      return "tree hash changed";
    case VerifyReport::Problem::kHeadMismatch:
      return "head mismatch";
    case VerifyReport::Problem::kCheckpointMismatch:
      return "checkpoint mismatch";
  }
  return "unknown";
}

}  // namespace vellum
