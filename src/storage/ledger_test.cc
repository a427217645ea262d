#include "vellum/ledger.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "testing/reference_tree.h"
#include "tests/temp_dir.h"
#include "vellum/merkle.h"

namespace vellum {
namespace {

using merkle::testing::MemoryHashSource;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Runs `sql` on the file with a plain SQLite connection; returns the error text or "".
std::string RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  char* err = nullptr;
  sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string out = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  return out;
}

// The first column of the first row of `sql`, as text.
std::string QueryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

class LedgerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Ledger> Make(EntryFormat format = EntryFormat::kRecord) {
    auto ledger = Ledger::Create(path_, {.origin = "example.com/test", .format = format});
    // An exception fails the test that called Make (an ASSERT cannot return a value).
    if (!ledger) throw std::runtime_error("Ledger::Create: " + ledger.error().ToString());
    return std::move(*ledger);
  }
  testing::TempDir dir_;
  std::string path_ = dir_.File("ledger.db");
};

TEST_F(LedgerTest, CreatesAndReopensWithOriginAndFormat) {
  Make(EntryFormat::kRaw);
  auto ledger = Ledger::Open(path_);
  ASSERT_TRUE(ledger) << ledger.error().ToString();
  EXPECT_EQ((*ledger)->origin(), "example.com/test");
  EXPECT_EQ((*ledger)->format(), EntryFormat::kRaw);
  auto head = (*ledger)->GetHead();
  EXPECT_EQ(head->size, 0u);
  EXPECT_EQ(head->root, merkle::EmptyRoot());
}

TEST_F(LedgerTest, RefusesToCreateOverAnExistingFile) {
  std::ofstream(path_) << "precious";
  auto ledger = Ledger::Create(path_, {.origin = "o"});
  ASSERT_FALSE(ledger);
  EXPECT_EQ(ledger.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(ReadFile(path_), "precious");
}

TEST_F(LedgerTest, RefusesToOpenFilesThatAreNotLedgersWithoutTouchingThem) {
  std::ofstream(path_) << std::string(5000, 'x');
  auto garbage = Ledger::Open(path_);
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message().find("not a vellum ledger"), std::string::npos)
      << garbage.error().message();
  EXPECT_EQ(ReadFile(path_), std::string(5000, 'x'));

  const std::string other = dir_.File("other.db");
  ASSERT_EQ(RawSql(other, "CREATE TABLE t(x); INSERT INTO t VALUES (1);"), "");
  const std::string before = ReadFile(other);
  auto plain = Ledger::Open(other);
  ASSERT_FALSE(plain);
  EXPECT_NE(plain.error().message().find("not a vellum ledger"), std::string::npos);
  EXPECT_EQ(ReadFile(other), before);

  EXPECT_EQ(Ledger::Open(dir_.File("missing.db")).error().code(), ErrorCode::kNotFound);
}

TEST_F(LedgerTest, RefusesANewerSchemaVersion) {
  Make();
  ASSERT_EQ(RawSql(path_, "UPDATE vellum_meta SET value = '99' WHERE key = 'schema_version'"), "");
  auto ledger = Ledger::Open(path_);
  ASSERT_FALSE(ledger);
  EXPECT_EQ(ledger.error().code(), ErrorCode::kConflict);
  EXPECT_NE(ledger.error().message().find("newer"), std::string::npos);
}

TEST_F(LedgerTest, AppendsAndReadsBackRecordEntries) {
  auto ledger = Make();
  EXPECT_EQ(*ledger->Append({ToBytes("first"), 1700000000123}), 0u);
  EXPECT_EQ(*ledger->Append({ToBytes("second"), 1700000000456}), 1u);
  auto e = ledger->Get(1);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->payload, ToBytes("second"));
  EXPECT_EQ(e->time_ms, 1700000000456);
  Bytes encoded = Ledger::EncodeEntry(EntryFormat::kRecord, 1700000000456, ToBytes("second"));
  EXPECT_EQ(encoded.size(), 8u + 6);
  EXPECT_EQ(encoded[0], 0x00);
  EXPECT_EQ(encoded[7], 1700000000456 & 0xff);
  EXPECT_EQ(e->leaf_hash, merkle::LeafHash(encoded));
  EXPECT_EQ(ledger->GetHead()->size, 2u);
  EXPECT_EQ(ledger->Get(2).error().code(), ErrorCode::kNotFound);
}

TEST_F(LedgerTest, StampsTheCurrentTimeUnlessGiven) {
  auto ledger = Make();
  const int64_t before = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  ASSERT_TRUE(ledger->Append({.payload = ToBytes("now")}));
  auto e = ledger->Get(0);
  ASSERT_TRUE(e->time_ms);
  EXPECT_GE(*e->time_ms, before);
  EXPECT_LE(*e->time_ms, before + 60000);
}

TEST_F(LedgerTest, RawFormatHashesThePayloadExactlyAndRefusesTimes) {
  auto ledger = Make(EntryFormat::kRaw);
  ASSERT_TRUE(ledger->Append({.payload = Bytes{0x00, 0xff}}));
  EXPECT_EQ(ledger->Get(0)->leaf_hash, merkle::LeafHash(Bytes{0x00, 0xff}));
  EXPECT_FALSE(ledger->Get(0)->time_ms);
  auto timed = ledger->Append({ToBytes("x"), 5});
  ASSERT_FALSE(timed);
  EXPECT_EQ(timed.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ledger->GetHead()->size, 1u);
}

TEST_F(LedgerTest, RefusesOversizedEntriesAndTheWholeBatchWithThem) {
  auto ledger = Make();
  ASSERT_TRUE(ledger->Append({Bytes(kMaxEntrySize - 8, 'a'), 1}));  // exactly at the limit
  std::vector<NewEntry> batch = {{ToBytes("ok"), 1}, {Bytes(kMaxEntrySize - 7, 'a'), 1}};
  auto too_big = ledger->AppendBatch(batch);
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().message().find("the limit is 65527"), std::string::npos);
  EXPECT_EQ(ledger->GetHead()->size, 1u);
  EXPECT_TRUE(ledger->Verify()->ok);
}

TEST_F(LedgerTest, RootsAndProofsEqualThePureCoreForEverySize) {
  auto ledger = Make(EntryFormat::kRaw);
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::vector<Hash> leaves;
  constexpr uint64_t kTotal = 3000;
  while (leaves.size() < kTotal) {
    std::vector<NewEntry> batch(std::min<uint64_t>(1 + rng() % 60, kTotal - leaves.size()));
    for (auto& e : batch) {
      e.payload = ToBytes("entry " + std::to_string(leaves.size()));
      leaves.push_back(merkle::LeafHash(e.payload));
    }
    ASSERT_TRUE(ledger->AppendBatch(batch));
    ASSERT_EQ(ledger->GetHead()->root, merkle::testing::ReferenceRoot(leaves)) << leaves.size();
  }
  MemoryHashSource core(leaves);
  for (uint64_t size = 0; size <= kTotal; ++size) {
    ASSERT_EQ(*ledger->RootAt(size), *merkle::RootAt(core, size)) << size;
    if (size == 0) continue;
    const uint64_t index = rng() % size, old_size = rng() % (size + 1);
    ASSERT_EQ(*ledger->InclusionProof(index, size), *merkle::InclusionProof(core, index, size))
        << index << "/" << size;
    ASSERT_EQ(*ledger->ConsistencyProof(old_size, size),
              *merkle::ConsistencyProof(core, old_size, size))
        << old_size << "->" << size;
  }
  EXPECT_EQ(ledger->RootAt(kTotal + 1).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ledger->InclusionProof(kTotal, kTotal).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ledger->ConsistencyProof(1, kTotal + 1).error().code(), ErrorCode::kInvalidArgument);
  auto report = ledger->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->message;
  EXPECT_EQ(report->entries_checked, kTotal);
}

TEST_F(LedgerTest, ServesTlogTilesOfLeafHashes) {
  auto ledger = Make(EntryFormat::kRaw);
  std::vector<NewEntry> batch(300);
  for (size_t i = 0; i < batch.size(); ++i) batch[i].payload = ToBytes(std::to_string(i));
  ASSERT_TRUE(ledger->AppendBatch(batch));
  auto tile = ledger->ReadTile(0, 1, 44);
  ASSERT_TRUE(tile);
  ASSERT_EQ(tile->size(), 44u * 32);
  Hash h = merkle::LeafHash(batch[256 + 43].payload);
  EXPECT_TRUE(std::equal(h.begin(), h.end(), tile->begin() + 43 * 32));
  EXPECT_EQ(ledger->ReadTile(0, 1, 45).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ledger->ReadTile(1, 0, 1)->size(), 32u);
  EXPECT_EQ(ledger->ReadTile(0, 0, 256)->size(), 256u * 32);
}

TEST_F(LedgerTest, FindsEntriesByLeafHashAndReadsRanges) {
  auto ledger = Make();
  std::vector<NewEntry> batch(500);
  for (size_t i = 0; i < batch.size(); ++i)
    batch[i] = {ToBytes(std::string("e").append(std::to_string(i))), 42};
  ASSERT_TRUE(ledger->AppendBatch(batch));
  auto e = ledger->Get(321);
  EXPECT_EQ(*ledger->FindByLeafHash(e->leaf_hash), 321u);
  EXPECT_EQ(ledger->FindByLeafHash(merkle::LeafHash(ToBytes("nope"))).error().code(),
            ErrorCode::kNotFound);
  auto range = ledger->GetRange(10, 20);
  ASSERT_TRUE(range);
  ASSERT_EQ(range->size(), 10u);
  EXPECT_EQ((*range)[3].payload, ToBytes("e13"));
  EXPECT_EQ(ledger->GetRange(490, 501).error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(LedgerTest, FindsEntriesByLeafHashAcrossMergedLookupRuns) {
  // 70,000 entries: a level-2 run (65,536) and 4,464 entries not in a run.
  auto ledger = Make(EntryFormat::kRaw);
  constexpr uint64_t kTotal = 70000;
  std::vector<NewEntry> batch;
  for (uint64_t i = 0; i < kTotal; ++i) {
    // Entry 69999 repeats entry 5: a lookup must return the first.
    batch.push_back({.payload = ToBytes("payload-" + std::to_string(i == kTotal - 1 ? 5 : i))});
    if (batch.size() == 7000) {
      ASSERT_TRUE(ledger->AppendBatch(batch));
      batch.clear();
    }
  }
  for (uint64_t i : {0ull, 5ull, 255ull, 256ull, 4095ull, 4096ull, 65535ull, 65536ull, 69631ull,
                     69632ull, 69998ull}) {
    auto found = ledger->FindByLeafHash(merkle::LeafHash(ToBytes("payload-" + std::to_string(i))));
    ASSERT_TRUE(found) << i << ": " << found.error().ToString();
    EXPECT_EQ(*found, i);
  }
  EXPECT_FALSE(ledger->FindByLeafHash(merkle::LeafHash(ToBytes("payload-70000"))));
  // 273 full tiles: one level-2 run of 256 tiles (6-byte records), the rest found through the
  // leaf-hash prefixes their tiles store. (Schema 2 files: LedgerEdgesTest.)
  EXPECT_EQ(QueryText(path_,
                      "SELECT group_concat(level || ':' || first || ':' || length(keys)) "
                      "FROM (SELECT * FROM leaf_runs ORDER BY first)"),
            "2:0:393216");
  // The run holds each of its 65,536 entries once, as (leaf-hash prefix, offset) records in
  // ascending order: what the lookup's binary search relies on.
  const std::string hex = QueryText(path_, "SELECT hex(keys) FROM leaf_runs WHERE first = 0");
  ASSERT_EQ(hex.size(), 393216u * 2);
  std::vector<bool> seen(65536);
  uint64_t previous = 0;
  for (size_t i = 0; i < hex.size(); i += 12) {
    const uint64_t record = std::stoull(hex.substr(i, 12), nullptr, 16);
    if (i > 0) {
      ASSERT_LT(previous, record) << "record " << i / 12;
    }
    ASSERT_FALSE(seen[record & 0xffff]) << "offset " << (record & 0xffff) << " twice";
    seen[record & 0xffff] = true;
    const Hash leaf = merkle::LeafHash(ToBytes("payload-" + std::to_string(record & 0xffff)));
    ASSERT_EQ(record >> 16, uint64_t{leaf[0]} << 24 | leaf[1] << 16 | leaf[2] << 8 | leaf[3]);
    previous = record;
  }
}

TEST_F(LedgerTest, LookupRunsSpanAppendsFromSeveralHandles) {
  // A run of 256 tiles begun by one handle and finished by another (or another process).
  auto first = Make(EntryFormat::kRaw);
  auto batch = [](uint64_t from, uint64_t to) {
    std::vector<NewEntry> out;
    for (uint64_t i = from; i < to; ++i)
      out.push_back({.payload = ToBytes(std::string("r").append(std::to_string(i)))});
    return out;
  };
  ASSERT_TRUE(first->AppendBatch(batch(0, 30000)));
  auto second = *Ledger::Open(path_);
  ASSERT_TRUE(second->AppendBatch(batch(30000, 40000)));
  ASSERT_TRUE(first->AppendBatch(batch(40000, 66000)));  // its memory of the run is stale
  EXPECT_EQ(QueryText(path_, "SELECT group_concat(level || ':' || first) FROM leaf_runs"), "2:0");
  for (uint64_t i : {0ull, 29999ull, 30000ull, 39999ull, 40000ull, 65535ull, 65536ull, 65999ull}) {
    auto found = second->FindByLeafHash(
        merkle::LeafHash(ToBytes(std::string("r").append(std::to_string(i)))));
    ASSERT_TRUE(found) << i;
    EXPECT_EQ(*found, i);
  }
}

TEST_F(LedgerTest, LookupsFollowAppendsMadeThroughAnotherHandle) {
  // A handle keeps what the full tiles not yet in a run store of their leaf hashes between
  // lookups; another handle then fills its partial tile, adds tiles and closes the run.
  auto writer = Make(EntryFormat::kRaw);
  auto append = [&](uint64_t from, uint64_t to) {
    std::vector<NewEntry> batch;
    for (uint64_t i = from; i < to; ++i)
      batch.push_back({.payload = ToBytes(std::string("t").append(std::to_string(i)))});
    ASSERT_TRUE(writer->AppendBatch(batch));
  };
  auto reader = *Ledger::Open(path_, {.read_only = true});
  auto find = [&](uint64_t i) {
    return reader->FindByLeafHash(
        merkle::LeafHash(ToBytes(std::string("t").append(std::to_string(i)))));
  };
  append(0, 1000);  // tiles 0..2 full, tile 3 partial (232 entries)
  for (uint64_t i : {0ull, 767ull, 768ull, 999ull}) EXPECT_EQ(*find(i), i);
  EXPECT_FALSE(find(1000));
  append(1000, 1300);  // tile 3 fills; tile 4 full; tile 5 partial
  for (uint64_t i : {0ull, 999ull, 1000ull, 1023ull, 1024ull, 1279ull, 1280ull, 1299ull}) {
    auto found = find(i);
    ASSERT_TRUE(found) << i;
    EXPECT_EQ(*found, i);
  }
  EXPECT_FALSE(find(1300));
  append(1300, 65600);  // the run of the first 65,536 closes
  for (uint64_t i : {0ull, 1299ull, 65535ull, 65536ull, 65599ull}) {
    auto found = find(i);
    ASSERT_TRUE(found) << i;
    EXPECT_EQ(*found, i);
  }
  EXPECT_FALSE(find(65600));
}

TEST_F(LedgerTest, ProofsFollowAppendsMadeThroughAnotherHandle) {
  // A handle keeps the tiles it read for its next proofs. Another handle (or process) then
  // lengthens the same partial tiles: proofs at the new sizes must read them again, and sizes
  // beyond the head stay refused.
  auto reader = Make(EntryFormat::kRaw);
  std::vector<Hash> leaves;
  auto append = [&](Ledger& ledger, uint64_t count) {
    std::vector<NewEntry> batch;
    for (uint64_t i = 0; i < count; ++i) {
      batch.push_back({.payload = ToBytes(std::string("e").append(std::to_string(leaves.size())))});
      leaves.push_back(merkle::LeafHash(batch.back().payload));
    }
    ASSERT_TRUE(ledger.AppendBatch(batch));
  };
  std::mt19937_64 rng(7);
  auto check_all = [&] {
    MemoryHashSource core(leaves);
    for (uint64_t size = 1; size <= leaves.size(); size += 1 + rng() % 7) {
      const uint64_t index = rng() % size, old_size = rng() % (size + 1);
      ASSERT_EQ(*reader->RootAt(size), *merkle::RootAt(core, size)) << size;
      ASSERT_EQ(*reader->InclusionProof(index, size), *merkle::InclusionProof(core, index, size))
          << index << "/" << size;
      ASSERT_EQ(*reader->ConsistencyProof(old_size, size),
                *merkle::ConsistencyProof(core, old_size, size))
          << old_size << "->" << size;
    }
    ASSERT_EQ(*reader->RootAt(leaves.size()), merkle::testing::ReferenceRoot(leaves));
  };
  append(*reader, 300);
  check_all();
  auto writer = *Ledger::Open(path_);
  for (uint64_t count : {1, 200, 70000 - 501}) {
    append(*writer, count);
    check_all();
  }
  EXPECT_EQ(reader->InclusionProof(0, leaves.size() + 1).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(reader->RootAt(leaves.size() + 1).error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(LedgerTest, AHeadRewrittenUnderAHandleIsBelievedOverWhatTheHandleCached) {
  // Someone rolls the head back with plain SQLite (as a restored older copy would): the handle
  // that saw the larger tree must not keep proving sizes the file no longer has.
  auto ledger = Make(EntryFormat::kRaw);
  std::vector<NewEntry> batch(300);
  for (size_t i = 0; i < batch.size(); ++i) batch[i].payload = ToBytes(std::to_string(i));
  ASSERT_TRUE(ledger->AppendBatch(batch));
  ASSERT_TRUE(ledger->InclusionProof(250, 300));
  ASSERT_EQ(RawSql(path_,
                   "DROP TRIGGER head_only_grows; UPDATE head SET size = 100, root = "
                   "(SELECT root FROM head) WHERE id = 0"),
            "");
  ASSERT_EQ(ledger->GetHead()->size, 100u);
  EXPECT_EQ(ledger->InclusionProof(250, 300).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ledger->RootAt(150).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(ledger->RootAt(100));
}

class LedgerCheckpointTest : public LedgerTest {
 protected:
  void SetUp() override {
    key_ = *SignerKey::Generate("example.com/test");
    auto ledger = Ledger::Create(
        path_, {.origin = "example.com/test", .verifier_key = key_.verifier().ToString()});
    ASSERT_TRUE(ledger) << ledger.error().ToString();
    ledger_ = std::move(*ledger);
    std::vector<NewEntry> batch(300);
    for (size_t i = 0; i < batch.size(); ++i)
      batch[i] = {ToBytes(std::string("c").append(std::to_string(i))), 9};
    ASSERT_TRUE(ledger_->AppendBatch(batch));
  }
  SignerKey key_ = *SignerKey::Generate("placeholder");
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerCheckpointTest, SignedCheckpointsVerifyWithTheRecordedKeyAndAreKept) {
  EXPECT_EQ(ledger_->LatestCheckpoint().error().code(), ErrorCode::kNotFound);
  auto note = ledger_->SignCheckpoint(key_);
  ASSERT_TRUE(note) << note.error().ToString();
  std::vector<VerifierKey> known = {*VerifierKey::Parse(ledger_->verifier_key())};
  auto cp = OpenCheckpoint(*note, known);
  ASSERT_TRUE(cp) << cp.error().ToString();
  EXPECT_EQ(cp->origin, "example.com/test");
  EXPECT_EQ(cp->size, 300u);
  EXPECT_EQ(cp->root, ledger_->GetHead()->root);
  auto earlier = ledger_->SignCheckpoint(key_, 17);
  ASSERT_TRUE(earlier);
  EXPECT_EQ(OpenCheckpoint(*earlier, known)->root, *ledger_->RootAt(17));
  EXPECT_EQ(*ledger_->LatestCheckpoint(), *earlier);
  EXPECT_EQ(QueryText(path_, "SELECT count(*) FROM checkpoints"), "2");
  EXPECT_NE(RawSql(path_, "DELETE FROM checkpoints").find("vellum:"), std::string::npos);
}

TEST_F(LedgerCheckpointTest, RefusesAnotherKeyAndSizesBeyondTheHead) {
  auto other = *SignerKey::Generate("example.com/test");
  auto refused = ledger_->SignCheckpoint(other);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("not this ledger's key"), std::string::npos);
  EXPECT_EQ(ledger_->SignCheckpoint(key_, 301).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(QueryText(path_, "SELECT count(*) FROM checkpoints"), "0");
}

TEST_F(LedgerCheckpointTest, NeverSignsAHistoryInconsistentWithAnEarlierCheckpoint) {
  ASSERT_TRUE(ledger_->SignCheckpoint(key_, 200));
  // Someone rewrites the stored tree hashes over entries 0..255 behind vellum's back.
  ledger_.reset();
  ASSERT_EQ(RawSql(path_,
                   "DROP TRIGGER tiles_only_grow; UPDATE tiles SET inner = "
                   "randomblob(length(inner)) WHERE level = 0 AND idx = 0"),
            "");
  ledger_ = std::move(*Ledger::Open(path_));
  auto refused = ledger_->SignCheckpoint(key_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);
  EXPECT_NE(refused.error().message().find("size 200 signed before"), std::string::npos);
  EXPECT_EQ(QueryText(path_, "SELECT count(*) FROM checkpoints"), "1");
}

TEST_F(LedgerTest, ALedgerWithoutAKeyCannotSign) {
  auto ledger = Make();
  auto refused = ledger->SignCheckpoint(*SignerKey::Generate("x"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("without a signing key"), std::string::npos);
  EXPECT_FALSE(Ledger::Create(dir_.File("bad.db"), {.origin = "o", .verifier_key = "junk"}));
}

TEST_F(LedgerTest, TriggersRefuseUpdateAndDeleteNamingVellum) {
  auto ledger = Make();
  ASSERT_TRUE(ledger->Append({ToBytes("keep me"), 1}));
  for (const char* sql :
       {"UPDATE entries SET data = 'forged' WHERE idx = 0", "DELETE FROM entries WHERE idx = 0",
        "DELETE FROM tiles", "UPDATE tiles SET hashes = zeroblob(32)", "UPDATE head SET size = 0",
        "UPDATE vellum_meta SET value = 'evil' WHERE key = 'origin'"}) {
    std::string err = RawSql(path_, sql);
    EXPECT_NE(err.find("vellum:"), std::string::npos) << sql << " -> " << err;
  }
  EXPECT_EQ(ledger->Get(0)->payload, ToBytes("keep me"));
  EXPECT_TRUE(ledger->Verify()->ok);
}

TEST_F(LedgerTest, RecordsViewShowsTimeTextAndLeafHashPrefix) {
  auto ledger = Make();
  ASSERT_TRUE(ledger->Append({ToBytes("hello"), 1700000000123}));
  ASSERT_TRUE(ledger->Append({ToBytes("world"), 1700000000124}));
  sqlite3* db = nullptr;
  sqlite3_open(path_.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT time, typeof(data), data, leaf_prefix FROM records ORDER BY idx",
                     -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
               "2023-11-14T22:13:20.123Z");
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)), "text");
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2)), "hello");
  EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)),
            ToHex(ledger->Get(0)->leaf_hash).substr(0, 8));
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)),
            ToHex(ledger->Get(1)->leaf_hash).substr(0, 8));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(LedgerTest, AppendToALockedFileFailsClearlyAndWritesNothing) {
  Make();
  auto ledger = *Ledger::Open(path_, {.busy_timeout_ms = 50});
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto appended = ledger->Append({.payload = ToBytes("blocked"), .time_ms = 1});
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(appended.error().message().find("locked"), std::string::npos)
      << appended.error().message();
  EXPECT_EQ(ledger->GetHead()->size, 0u);  // readers are not blocked by the writer
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  EXPECT_TRUE(ledger->Append({.payload = ToBytes("now it works"), .time_ms = 1}));
}

TEST_F(LedgerTest, ThreadsSharingOneHandleAndSeparateHandlesLoseNothing) {
  auto shared = Make(EntryFormat::kRaw);
  auto second = *Ledger::Open(path_);
  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> got(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Ledger& ledger = t % 2 ? *second : *shared;
      for (int i = 0; i < kPerThread; ++i) {
        auto index =
            ledger.Append({.payload = ToBytes(std::to_string(t) + ":" + std::to_string(i))});
        if (index) got[t].push_back(*index);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& v : got) {
    EXPECT_EQ(v.size(), size_t{kPerThread});
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*all.rbegin(), uint64_t{kThreads * kPerThread - 1});
  EXPECT_EQ(shared->GetHead()->size, uint64_t{kThreads * kPerThread});
  EXPECT_TRUE(shared->Verify()->ok);
}

}  // namespace
}  // namespace vellum
