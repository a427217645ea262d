// The edges of the ledger API: empty entries, mirrors that take entries only with their
// upstream's signed checkpoint, checkpoints that refuse a file edited around vellum, checkpoints
// and fork evidence kept once, origins that can be signed, files from schema version 1.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/temp_dir.h"
#include "vellum/ledger.h"
#include "vellum/merkle.h"

namespace vellum {
namespace {

std::string Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    out = std::string("error: ") + sqlite3_errmsg(db);
  } else if (const int rc = sqlite3_step(stmt); rc == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    out = std::string("error: ") + sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

class LedgerEdgesTest : public ::testing::Test {
 protected:
  std::unique_ptr<Ledger> Create(const std::string& name, CreateOptions options) {
    auto ledger = Ledger::Create(dir_.File(name), std::move(options));
    EXPECT_TRUE(ledger) << ledger.error().ToString();
    return ledger ? std::move(*ledger) : nullptr;
  }
  std::unique_ptr<Ledger> Writer(const std::string& name, size_t entries) {
    auto ledger =
        Create(name, {.origin = "example.com/edges", .verifier_key = key_.verifier().ToString()});
    std::vector<NewEntry> batch;
    for (size_t i = 0; i < entries; ++i) batch.push_back({ToBytes(std::to_string(i)), 7});
    if (!batch.empty()) {
      EXPECT_TRUE(ledger->AppendBatch(batch));
    }
    return ledger;
  }
  std::vector<NewEntry> Entries(Ledger& from, uint64_t begin, uint64_t end) {
    std::vector<NewEntry> out;
    auto range = from.GetRange(begin, end);
    EXPECT_TRUE(range);
    for (const Entry& e : *range) out.push_back({e.payload, e.time_ms});
    return out;
  }
  testing::TempDir dir_;
  SignerKey key_ = *SignerKey::Generate("example.com/edges");
};

TEST_F(LedgerEdgesTest, EmptyEntriesAreStoredHashedAndReadBackInEveryFormat) {
  for (EntryFormat format : {EntryFormat::kRecord, EntryFormat::kRaw}) {
    const std::string name = std::string(EntryFormatName(format)) + ".db";
    auto ledger = Create(name, {.origin = "example.com/empty", .format = format});
    std::optional<int64_t> time;
    if (format == EntryFormat::kRecord) time = 5;
    ASSERT_TRUE(
        ledger->AppendBatch(std::vector<NewEntry>{{{}, time}, {ToBytes("x"), time}, {{}, time}}));
    auto entry = ledger->Get(2);
    ASSERT_TRUE(entry) << entry.error().ToString();
    EXPECT_TRUE(entry->payload.empty());
    EXPECT_EQ(entry->leaf_hash, merkle::LeafHash(Ledger::EncodeEntry(format, time, {})));
    EXPECT_EQ(Sql(dir_.File(name), "SELECT quote(data) FROM records WHERE idx = 0"), "''");
    EXPECT_TRUE(ledger->Verify()->ok);
  }
  // RFC 6962's first published leaf is the empty entry.
  auto raw = Ledger::Open(dir_.File("raw.db"));
  EXPECT_EQ(ToHex((*raw)->Get(0)->leaf_hash),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST_F(LedgerEdgesTest, TheSizeLimitNamesThePayloadLimitOfTheFormat) {
  auto raw = Create("raw.db", {.origin = "o", .format = EntryFormat::kRaw});
  EXPECT_TRUE(raw->Append({Bytes(kMaxEntrySize, 'a')}));
  auto record = Create("record.db", {.origin = "o"});
  EXPECT_TRUE(record->Append({Bytes(MaxPayloadSize(EntryFormat::kRecord), 'a')}));
  auto refused = record->Append({Bytes(65535, 'a')});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("65535-byte payload; the limit is 65527 bytes"),
            std::string::npos)
      << refused.error().message();
}

// A handle whose file was moved away, deleted or replaced writes nothing: its writes would not
// reach the file at its path (a deleted file's would be lost with the handle).
TEST_F(LedgerEdgesTest, AHandleWhoseFileWasMovedAwayWritesNothing) {
  const std::string path = dir_.File("moved.db"), away = dir_.File("away.db");
  auto ledger = Ledger::Create(
      path, {.origin = "example.com/edges", .verifier_key = key_.verifier().ToString()});
  ASSERT_TRUE(ledger);
  ASSERT_TRUE((*ledger)->Append({.payload = ToBytes("a")}));
  std::filesystem::rename(path, away);
  auto appended = (*ledger)->Append({.payload = ToBytes("b")});
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().code(), ErrorCode::kIoError);
  EXPECT_NE(appended.error().message().find(path + " was moved, deleted or replaced"),
            std::string::npos)
      << appended.error().message();
  EXPECT_FALSE((*ledger)->SignCheckpoint(key_));
  std::filesystem::copy_file(away, path);  // another file at the path: refused too
  EXPECT_FALSE((*ledger)->Append({.payload = ToBytes("b")}));
  std::filesystem::remove(path);
  std::filesystem::rename(away, path);
  ASSERT_TRUE((*ledger)->Append({.payload = ToBytes("b")}));
  EXPECT_TRUE((*ledger)->SignCheckpoint(key_));
  EXPECT_EQ((*ledger)->GetHead()->size, 2u);
}

// An empty path is named as such: opening it once said " does not exist; create it with ...".
TEST_F(LedgerEdgesTest, AnEmptyPathIsNamed) {
  auto opened = Ledger::Open("");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(opened.error().message(), "the ledger's file name is empty; give its path");
  auto created = Ledger::Create("", {.origin = "example.com/log"});
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().message(), "a ledger needs a file name, e.g. audit.db");
}

TEST_F(LedgerEdgesTest, OriginsThatCannotBeSignedAreRefused) {
  for (std::string origin :
       {std::string(""), std::string("a\nb"), std::string("a\x1b[2Jb"), std::string("bad\xff"),
        std::string(2000, 'o'), std::string("c1\xc2\x85")}) {
    auto refused = Ledger::Create(dir_.File("o.db"), {.origin = origin});
    EXPECT_FALSE(refused) << origin;
    EXPECT_FALSE(std::filesystem::exists(dir_.File("o.db")));
  }
  EXPECT_TRUE(Ledger::Create(dir_.File("ok.db"), {.origin = "example.com/log ünïcode"}));
}

TEST_F(LedgerEdgesTest, AMirrorRefusesPlainAppendsAndTakesOnlyWhatTheSignedCheckpointVouchesFor) {
  auto upstream = Writer("up.db", 600);
  const std::string note = *upstream->SignCheckpoint(key_);
  auto mirror = Create(
      "mirror.db",
      {.origin = "example.com/edges", .verifier_key = key_.verifier().ToString(), .mirror = true});
  ASSERT_TRUE(mirror->is_mirror());
  auto plain = mirror->Append({ToBytes("written around the node"), 1});
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code(), ErrorCode::kConflict);
  EXPECT_NE(plain.error().message().find("is a mirror"), std::string::npos);

  // A prefix needs a consistency proof to the signed size; a wrong one writes nothing.
  auto first = Entries(*upstream, 0, 256);
  auto proof = *upstream->ConsistencyProof(256, 600);
  EXPECT_FALSE(mirror->AppendVerified(first, note, {}));
  auto altered = first;
  altered[100].payload = ToBytes("forged");
  EXPECT_FALSE(mirror->AppendVerified(altered, note, proof));
  EXPECT_EQ(mirror->GetHead()->size, 0u);
  auto appended = mirror->AppendVerified(first, note, proof);
  ASSERT_TRUE(appended) << appended.error().ToString();
  EXPECT_EQ(mirror->LatestCheckpoint().error().code(), ErrorCode::kNotFound);

  // A checkpoint by another key, or too many entries: refused, nothing written.
  auto other = *SignerKey::Generate("example.com/edges");
  auto other_ledger = Create(
      "other.db", {.origin = "example.com/edges", .verifier_key = other.verifier().ToString()});
  ASSERT_TRUE(other_ledger->AppendBatch(Entries(*upstream, 0, 600)));
  const std::string foreign = *other_ledger->SignCheckpoint(other);
  auto rest = Entries(*upstream, 256, 600);
  auto wrong_key = mirror->AppendVerified(rest, foreign);
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error().code(), ErrorCode::kVerificationFailed);
  rest.push_back({ToBytes("one too many"), 7});
  EXPECT_FALSE(mirror->AppendVerified(rest, note));
  rest.pop_back();
  EXPECT_EQ(mirror->GetHead()->size, 256u);

  // The last batch rebuilds the signed root and records the checkpoint with it.
  ASSERT_TRUE(mirror->AppendVerified(rest, note));
  EXPECT_EQ(*mirror->LatestCheckpoint(), note);
  EXPECT_EQ(mirror->GetHead()->root, upstream->GetHead()->root);
  EXPECT_TRUE(mirror->Verify()->ok);
  // Reopened, it is still a mirror.
  mirror.reset();
  EXPECT_TRUE((*Ledger::Open(dir_.File("mirror.db")))->is_mirror());
}

TEST_F(LedgerEdgesTest, TheSameCheckpointIsKeptOnce) {
  auto ledger = Writer("w.db", 10);
  const std::string note = *ledger->SignCheckpoint(key_);
  ASSERT_TRUE(ledger->SignCheckpoint(key_));  // Ed25519 is deterministic: the same note
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(ledger->RecordCheckpoint(note));
  EXPECT_EQ(Sql(dir_.File("w.db"), "SELECT count(*) FROM checkpoints"), "1");
}

TEST_F(LedgerEdgesTest, NeverSignsEntriesEditedAroundVellumSinceTheLastCheckpoint) {
  auto ledger = Writer("w.db", 300);
  ASSERT_TRUE(ledger->SignCheckpoint(key_, 100));
  ledger.reset();
  // Entry 200 is rewritten with the triggers dropped; the stored tree still has the old leaf.
  ASSERT_EQ(Sql(dir_.File("w.db"), "DROP TRIGGER entries_no_update"), "");
  ASSERT_EQ(Sql(dir_.File("w.db"), "UPDATE entries SET data = 'mallory' WHERE idx = 200"), "");
  ledger = std::move(*Ledger::Open(dir_.File("w.db")));
  EXPECT_FALSE(ledger->Verify()->ok);
  auto refused = ledger->SignCheckpoint(key_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(refused.error().message(),
            "refusing to sign: entry 200 was changed: its bytes no longer hash to the stored leaf "
            "hash; run 'vellum verify'");
  // Nor is the edited entry handed out as if the tree held it.
  auto edited = ledger->Get(200);
  ASSERT_FALSE(edited);
  EXPECT_EQ(edited.error().code(), ErrorCode::kCorruption);
  EXPECT_FALSE(ledger->GetRange(150, 250));
  EXPECT_TRUE(ledger->Get(199));  // its neighbours are still served
  EXPECT_TRUE(ledger->GetRange(0, 200));
  EXPECT_TRUE(ledger->SignCheckpoint(key_, 150));  // before the edit: still true
  // With no checkpoint yet, everything is checked.
  auto fresh = Writer("fresh.db", 20);
  fresh.reset();
  ASSERT_EQ(Sql(dir_.File("fresh.db"), "DROP TRIGGER entries_no_update"), "");
  ASSERT_EQ(Sql(dir_.File("fresh.db"), "UPDATE entries SET data = 'x' WHERE idx = 3"), "");
  EXPECT_FALSE((*Ledger::Open(dir_.File("fresh.db")))->SignCheckpoint(key_));
}

TEST_F(LedgerEdgesTest, ForkEvidenceIsKeptOnlyWhenProvenAndOncePerPeerAndFork) {
  auto ours = Writer("ours.db", 300);
  auto theirs = Create("theirs.db",
                       {.origin = "example.com/edges", .verifier_key = key_.verifier().ToString()});
  auto entries = Entries(*ours, 0, 300);
  entries[123].payload = ToBytes("other history");
  ASSERT_TRUE(theirs->AppendBatch(entries));
  ForkEvidence e;
  e.peer = "http://peer";
  e.fork_index = 123;
  e.local_note = *ours->SignCheckpoint(key_);
  e.peer_note = *theirs->SignCheckpoint(key_);
  e.local_leaf = ours->Get(123)->leaf_hash;
  e.peer_leaf = theirs->Get(123)->leaf_hash;
  e.local_proof = *ours->InclusionProof(123, 300);
  e.peer_proof = *theirs->InclusionProof(123, 300);
  const std::vector<VerifierKey> keys = {key_.verifier()};
  ASSERT_TRUE(CheckForkEvidence(e, keys));

  ForkEvidence lie = e;  // our own checkpoint passed off as the peer's, with a made-up leaf
  lie.peer_note = lie.local_note;
  lie.peer_leaf[0] ^= 1;
  EXPECT_FALSE(CheckForkEvidence(lie, keys));
  EXPECT_FALSE(ours->RecordForkEvidence(lie, keys));
  ForkEvidence wrong_index = e;
  wrong_index.fork_index = 124;
  EXPECT_FALSE(ours->RecordForkEvidence(wrong_index, keys));
  EXPECT_EQ(ours->ListForkEvidence()->size(), 0u);

  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ours->RecordForkEvidence(e, keys));
  auto kept = *ours->ListForkEvidence();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_TRUE(CheckForkEvidence(kept[0], keys));  // checkable offline from what was kept
}

TEST_F(LedgerEdgesTest, VerifyNamesTheLowestDamageWhenALaterEntryIsUnreadableOrMissing) {
  const std::string path = dir_.File("lowest.db");
  Writer("lowest.db", 600).reset();
  ASSERT_EQ(Sql(path, "DROP TRIGGER tiles_only_grow"), "");
  ASSERT_EQ(Sql(path, "DROP TRIGGER entries_no_update"), "");
  ASSERT_EQ(Sql(path, "DROP TRIGGER entries_no_delete"), "");
  // The stored leaf-hash prefix of entry 5 changed, and entry 9 (same tile) has no time.
  ASSERT_EQ(Sql(path,
                "UPDATE tiles SET hashes = CAST(substr(hashes, 1, 20) || x'00000000' || "
                "substr(hashes, 25) AS BLOB) WHERE level = 0 AND idx = 0"),
            "");
  ASSERT_EQ(Sql(path, "UPDATE entries SET ts = NULL WHERE idx = 9"), "");
  auto report = (*Ledger::Open(path))->Verify();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->first_bad_index, 5u) << report->message;
  EXPECT_EQ(report->problem, VerifyReport::Problem::kTreeHashChanged) << report->message;
  // Entry 100 changed, and entry 200 (same tile) deleted.
  Writer("lowest2.db", 600).reset();
  const std::string path2 = dir_.File("lowest2.db");
  ASSERT_EQ(Sql(path2, "DROP TRIGGER entries_no_update"), "");
  ASSERT_EQ(Sql(path2, "DROP TRIGGER entries_no_delete"), "");
  ASSERT_EQ(Sql(path2, "UPDATE entries SET data = 'forged' WHERE idx = 100"), "");
  ASSERT_EQ(Sql(path2, "DELETE FROM entries WHERE idx = 200"), "");
  report = (*Ledger::Open(path2))->Verify();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->first_bad_index, 100u) << report->message;
  EXPECT_EQ(report->problem, VerifyReport::Problem::kEntryChanged) << report->message;
}

// tests/testdata/ledger-schema2.db: 4,500 record-format entries ("event 0" .. "event 4499")
// written by vellum before schema 3, whose level-0 tiles store whole leaf hashes.
constexpr uint64_t kSchema2Entries = 4500;

TEST_F(LedgerEdgesTest, OpensASchemaVersion1FileAndUpgradesItWhenWritable) {
  const std::string path = dir_.File("v1.db");
  std::filesystem::copy_file(VELLUM_TESTDATA_DIR "/ledger-schema2.db", path);
  // Roll the file back to version 1: no proof columns, no role.
  ASSERT_EQ(Sql(path, "DROP TRIGGER meta_no_delete"), "");
  ASSERT_EQ(Sql(path, "DELETE FROM vellum_meta WHERE key = 'role'"), "");
  ASSERT_EQ(Sql(path, "UPDATE vellum_meta SET value = '1' WHERE key = 'schema_version'"), "");
  for (const char* column : {"local_leaf", "local_proof", "peer_leaf", "peer_proof"}) {
    ASSERT_EQ(Sql(path, std::string("ALTER TABLE fork_evidence DROP COLUMN ") + column), "");
  }
  auto read_only = Ledger::Open(path, {.read_only = true});
  ASSERT_TRUE(read_only) << read_only.error().ToString();
  EXPECT_TRUE((*read_only)->ListForkEvidence());
  read_only->reset();
  EXPECT_EQ(Sql(path, "SELECT value FROM vellum_meta WHERE key = 'schema_version'"), "1");
  auto writable = Ledger::Open(path);
  ASSERT_TRUE(writable) << writable.error().ToString();
  EXPECT_FALSE((*writable)->is_mirror());
  // Version 2, not 3: the tiles keep the layout they were written in.
  EXPECT_EQ(Sql(path, "SELECT value FROM vellum_meta WHERE key = 'schema_version'"), "2");
  EXPECT_TRUE((*writable)->Append({ToBytes("after the upgrade"), 1}));
  EXPECT_TRUE((*writable)->Verify()->ok);
}

TEST_F(LedgerEdgesTest, ASchemaVersion2FileIsReadAppendedToAndVerifiedInItsOwnLayout) {
  const std::string path = dir_.File("v2.db");
  std::filesystem::copy_file(VELLUM_TESTDATA_DIR "/ledger-schema2.db", path);
  auto opened = Ledger::Open(path);
  ASSERT_TRUE(opened) << opened.error().ToString();
  Ledger& ledger = **opened;
  ASSERT_EQ(ledger.GetHead()->size, kSchema2Entries);
  EXPECT_TRUE(ledger.Verify()->ok);
  // Everything read from the stored tree equals the tree rebuilt from the entries.
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < kSchema2Entries; i += 1000) {
    auto range = ledger.GetRange(i, std::min(i + 1000, kSchema2Entries));
    ASSERT_TRUE(range);
    for (const Entry& e : *range) leaves.push_back(e.leaf_hash);
  }
  EXPECT_EQ(ledger.Get(4321)->payload, ToBytes("event 4321"));
  merkle::CompactRange tree;
  for (uint64_t size = 1; size <= kSchema2Entries; ++size) {
    tree.Append(leaves[size - 1]);
    if (size % 251 == 0 || size == 256 || size == 4096 || size == kSchema2Entries) {
      EXPECT_EQ(*ledger.RootAt(size), tree.Root()) << size;
    }
  }
  auto proof = ledger.InclusionProof(4321, 4500);
  ASSERT_TRUE(proof);
  EXPECT_TRUE(merkle::VerifyInclusion(leaves[4321], 4321, 4500, *proof, *ledger.RootAt(4500)));
  EXPECT_EQ(Sql(path, "SELECT length(hashes) FROM tiles WHERE level = 0 AND idx = 0"), "8192");
  EXPECT_EQ(*ledger.FindByLeafHash(leaves[17]), 17u);      // in a leaf-hash run
  EXPECT_EQ(*ledger.FindByLeafHash(leaves[4400]), 4400u);  // in the tail
  // Appends keep the whole-hash layout; the file stays version 2.
  std::vector<NewEntry> more;
  for (int i = 0; i < 700; ++i) more.push_back({ToBytes("more " + std::to_string(i)), 5});
  ASSERT_TRUE(ledger.AppendBatch(more));
  EXPECT_TRUE(ledger.Verify()->ok);
  EXPECT_EQ(Sql(path, "SELECT value FROM vellum_meta WHERE key = 'schema_version'"), "2");
  EXPECT_EQ(Sql(path, "SELECT length(hashes) FROM tiles WHERE level = 0 AND idx = 20"),
            "2560");  // 80 whole hashes
  auto appended = ledger.Get(kSchema2Entries + 699);
  ASSERT_TRUE(appended);
  EXPECT_EQ(*ledger.FindByLeafHash(appended->leaf_hash), kSchema2Entries + 699);
  // Past 65,536 entries its 8-byte level-1 runs merge into a level-2 run, as they always did.
  more.clear();
  for (uint64_t i = ledger.GetHead()->size; i < 66000; ++i) {
    more.push_back({ToBytes("bulk " + std::to_string(i)), 5});
  }
  ASSERT_TRUE(ledger.AppendBatch(more));
  EXPECT_EQ(Sql(path,
                "SELECT group_concat(level || ':' || first || ':' || length(keys)) FROM "
                "(SELECT * FROM leaf_runs ORDER BY first)"),
            "2:0:524288");
  for (uint64_t i : {17ull, 4400ull, 65535ull, 65999ull}) {
    EXPECT_EQ(*ledger.FindByLeafHash(ledger.Get(i)->leaf_hash), i);
  }
  // An entry edited around vellum is still named, from the whole leaf hash stored for it.
  opened->reset();
  ASSERT_EQ(Sql(path, "DROP TRIGGER entries_no_update"), "");
  ASSERT_EQ(Sql(path, "UPDATE entries SET data = 'forged' WHERE idx = 3000"), "");
  auto report = (*Ledger::Open(path))->Verify();
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_index, 3000u);
  EXPECT_EQ(report->problem, VerifyReport::Problem::kEntryChanged);
}

TEST_F(LedgerEdgesTest, ANewFileStoresLeafHashPrefixesAndServesWhatAnEditDidNotTouch) {
  auto ledger = Writer("v3.db", 600);
  const std::string path = dir_.File("v3.db");
  EXPECT_EQ(Sql(path, "SELECT value FROM vellum_meta WHERE key = 'schema_version'"), "3");
  EXPECT_EQ(Sql(path, "SELECT length(hashes) FROM tiles WHERE level = 0 AND idx = 0"), "1024");
  EXPECT_EQ(Sql(path, "SELECT length(hashes) FROM tiles WHERE level = 0 AND idx = 2"), "352");
  EXPECT_EQ(Sql(path, "SELECT length(hashes) FROM tiles WHERE level = 1 AND idx = 0"), "64");
  auto tile = ledger->ReadTile(0, 1, 256);  // served whole, as tlog-tiles says
  ASSERT_TRUE(tile);
  ASSERT_EQ(tile->size(), 256u * 32);
  EXPECT_TRUE(std::equal(tile->begin(), tile->begin() + 32, ledger->Get(256)->leaf_hash.begin()));
  {
    // A cache too small for the tree's two full level-0 tiles: blocks of eight are loaded as
    // proofs need them, and a tile served afterwards loads the rest.
    auto reader = Ledger::Open(path, {.read_only = true, .tile_cache_bytes = 20000});
    ASSERT_TRUE(reader);
    ASSERT_TRUE((*reader)->InclusionProof(300, 600));
    EXPECT_EQ(*(*reader)->ReadTile(0, 1, 40), Bytes(tile->begin(), tile->begin() + 40 * 32));
    EXPECT_EQ(*(*reader)->ReadTile(0, 1, 256), *tile);
    EXPECT_EQ(*(*reader)->InclusionProof(300, 600), *ledger->InclusionProof(300, 600));
  }
  const Hash root_294 = *ledger->RootAt(294);
  ledger.reset();
  // Entry 301 is edited around vellum: hashes that need its block of eight leaves (296..303)
  // are refused, the rest still served.
  ASSERT_EQ(Sql(path, "DROP TRIGGER entries_no_update"), "");
  ASSERT_EQ(Sql(path, "UPDATE entries SET data = 'forged' WHERE idx = 301"), "");
  auto reopened = Ledger::Open(path);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*(*reopened)->RootAt(294), root_294);  // needs leaves 288..293
  EXPECT_TRUE((*reopened)->InclusionProof(10, 600));
  auto refused = (*reopened)->InclusionProof(300, 600);  // its neighbour is entry 301
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find(
                "entry 301 was changed: its bytes no longer hash to the stored leaf hash"),
            std::string::npos)
      << refused.error().message();
  refused = (*reopened)->InclusionProof(298, 600);  // in the same block
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kCorruption);
  EXPECT_FALSE((*reopened)->ReadTile(0, 1, 256));
  EXPECT_EQ((*reopened)->Verify()->first_bad_index, 301u);
  reopened->reset();
  // An edit in the growing tile stops appends: the tree is never extended from it.
  ASSERT_EQ(Sql(path, "UPDATE entries SET data = 'forged' WHERE idx = 590"), "");
  auto edge_edited = Ledger::Open(path);
  ASSERT_TRUE(edge_edited);
  auto append = (*edge_edited)->Append({ToBytes("on an edited tile"), 1});
  ASSERT_FALSE(append);
  EXPECT_EQ(append.error().code(), ErrorCode::kCorruption) << append.error().ToString();
  EXPECT_EQ((*edge_edited)->GetHead()->size, 600u);
}

}  // namespace
}  // namespace vellum
