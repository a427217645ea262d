#include "storage/entries.h"

#include <chrono>
#include <cstring>
#include <string>

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
  while (i < data.size()) {
    // Fast path: eight ASCII bytes, none of them NUL.
    if (i + 8 <= data.size()) {
      uint64_t w;
      std::memcpy(&w, data.data() + i, 8);
      const bool ascii = (w & 0x8080808080808080ULL) == 0;
      const bool has_nul = ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) != 0;
      if (ascii && !has_nul) {
        i += 8;
        continue;
      }
    }
    const uint8_t c = data[i];
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      extra = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= data.size()) return false;
    for (size_t j = 1; j <= extra; ++j) {
      if ((data[i + j] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (data[i + j] & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
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
