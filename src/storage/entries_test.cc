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
  EXPECT_FALSE(Text("\xC3"));                  // truncated
  EXPECT_FALSE(Text("\xC0\xAF"));              // overlong
  EXPECT_FALSE(Text("\xED\xA0\x80"));          // surrogate
  EXPECT_FALSE(Text("\xF4\x90\x80\x80"));      // past U+10FFFF
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

}  // namespace
}  // namespace vellum::storage
