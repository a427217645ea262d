#include "storage/entries.h"

#include <gtest/gtest.h>

#include "vellum/merkle.h"

namespace vellum::storage {
namespace {

bool Text(std::string_view s) { return IsPlainText(AsBytes(s)); }

TEST(EntriesTest, PlainTextIsUtf8WithoutNul) {
  EXPECT_TRUE(Text(""));
  EXPECT_TRUE(Text("plain ascii, longer than eight bytes"));
  EXPECT_TRUE(Text("caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x93\x9C"));  // é — 📜
  EXPECT_FALSE(Text(std::string("nul\0inside", 10)));
  EXPECT_FALSE(Text(std::string("twelve bytes\0", 13)));
  EXPECT_FALSE(Text("\xC3"));              // truncated
  EXPECT_FALSE(Text("\xC0\xAF"));          // overlong
  EXPECT_FALSE(Text("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(Text("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(Text("ascii prefix then \xFF"));
}

TEST(EntriesTest, RecordLeafHashCoversTimeAndPayload) {
  const Bytes payload = ToBytes("event");
  EXPECT_EQ(EntryLeafHash(EntryFormat::kRecord, 42, payload),
            merkle::LeafHash(Ledger::EncodeEntry(EntryFormat::kRecord, 42, payload)));
  EXPECT_NE(EntryLeafHash(EntryFormat::kRecord, 43, payload),
            EntryLeafHash(EntryFormat::kRecord, 42, payload));
  EXPECT_EQ(EntryLeafHash(EntryFormat::kRaw, std::nullopt, payload), merkle::LeafHash(payload));
}

TEST(EntriesTest, RecordEntryIsBigEndianTimeThenPayload) {
  const Bytes entry = Ledger::EncodeEntry(EntryFormat::kRecord, -2, ToBytes("ab"));
  EXPECT_EQ(entry, (Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 'a', 'b'}));
  EXPECT_EQ(Ledger::EncodeEntry(EntryFormat::kRecord, 0x0102030405060708, {}),
            (Bytes{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(Ledger::EncodeEntry(EntryFormat::kRaw, std::nullopt, ToBytes("ab")), ToBytes("ab"));
}

TEST(EntriesTest, DecodeEntryInvertsEncodeEntry) {
  for (int64_t time : {kMinTimeMs, int64_t{-1}, int64_t{0}, int64_t{1700000000123}, kMaxTimeMs}) {
    const Bytes bytes = Ledger::EncodeEntry(EntryFormat::kRecord, time, ToBytes("payload"));
    auto entry = Ledger::DecodeEntry(EntryFormat::kRecord, bytes);
    ASSERT_TRUE(entry) << entry.error().ToString();
    EXPECT_EQ(entry->time_ms, time);
    EXPECT_EQ(entry->payload, ToBytes("payload"));
  }
  auto raw = Ledger::DecodeEntry(EntryFormat::kRaw, ToBytes("x"));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->payload, ToBytes("x"));
  EXPECT_FALSE(raw->time_ms);
}

TEST(EntriesTest, DecodeEntryRefusesShortRecordsAndImpossibleTimes) {
  EXPECT_EQ(Ledger::DecodeEntry(EntryFormat::kRecord, Bytes(7)).error().code(),
            ErrorCode::kInvalidArgument);
  for (int64_t time : {kMinTimeMs - 1, kMaxTimeMs + 1}) {
    const Bytes bytes = Ledger::EncodeEntry(EntryFormat::kRecord, time, {});
    EXPECT_FALSE(Ledger::DecodeEntry(EntryFormat::kRecord, bytes)) << time;
  }
  EXPECT_TRUE(Ledger::DecodeEntry(EntryFormat::kRecord, Bytes(8)));  // the epoch, no payload
}

}  // namespace
}  // namespace vellum::storage
