#include "storage/entries.h"

#include <chrono>
#include <cstring>
#include <string>

#include "common/utf8.h"
#include "vellum/merkle.h"

namespace vellum {

std::string_view EntryFormatName(EntryFormat format) {
  return format == EntryFormat::kRaw ? "raw" : "record";
}

Result<EntryFormat> ParseEntryFormat(std::string_view name) {
  if (name == "record") return EntryFormat::kRecord;
  if (name == "raw") return EntryFormat::kRaw;
  return Fail(ErrorCode::kInvalidArgument,
              "unknown entry format '" + std::string(name) + "' (use 'record' or 'raw')");
}

Bytes Ledger::EncodeEntry(EntryFormat format, std::optional<int64_t> time_ms,
                          std::span<const uint8_t> payload) {
  Bytes out;
  if (format == EntryFormat::kRecord) {
    out.reserve(8 + payload.size());
    const auto t = static_cast<uint64_t>(time_ms.value_or(0));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(t >> shift));
  }
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

}  // namespace vellum

namespace vellum::storage {

int64_t CurrentTimeMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsPlainText(std::span<const uint8_t> data) {
  size_t i = 0;
  // Fast path: eight ASCII bytes at a time, none of them NUL.
  for (; i + 8 <= data.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, data.data() + i, 8);
    const bool ascii = (w & 0x8080808080808080ULL) == 0;
    const bool has_nul = ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) != 0;
    if (!ascii || has_nul) break;
  }
  const std::string_view rest(reinterpret_cast<const char*>(data.data()) + i, data.size() - i);
  return AllCodePoints(rest, [](uint32_t cp) { return cp != 0; });
}

Hash EntryLeafHash(EntryFormat format, std::optional<int64_t> time_ms,
                   std::span<const uint8_t> payload) {
  if (format == EntryFormat::kRaw) return merkle::LeafHash(payload);
  uint8_t time[8];
  const auto t = static_cast<uint64_t>(time_ms.value_or(0));
  for (int i = 0; i < 8; ++i) time[i] = static_cast<uint8_t>(t >> (56 - 8 * i));
  return merkle::LeafHash(time, payload);
}

Result<Entry> EntryFromRow(const Stmt& row, int ts_col, int data_col, uint64_t index,
                           EntryFormat format) {
  Entry entry;
  entry.index = index;
  const bool has_time = !row.IsNull(ts_col);
  if (has_time != (format == EntryFormat::kRecord)) {
    return Fail(ErrorCode::kCorruption, "entry " + std::to_string(index) +
                                            (has_time ? " has a time in a raw-format ledger"
                                                      : " has no time in a record-format ledger"));
  }
  if (has_time) entry.time_ms = row.Int(ts_col);
  auto data = row.Blob(data_col);
  entry.payload.assign(data.begin(), data.end());
  entry.leaf_hash = EntryLeafHash(format, entry.time_ms, entry.payload);
  return entry;
}

}  // namespace vellum::storage
