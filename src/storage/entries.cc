#include "storage/entries.h"

#include <array>
#include <chrono>
#include <cstring>
#include <string>

#include "common/coding.h"
#include "common/utf8.h"
#include "vellum/merkle.h"

namespace vellum {
namespace {

// The eight bytes that start a record-format entry: the time, big-endian two's complement.
std::array<uint8_t, kRecordTimeSize> RecordTime(std::optional<int64_t> time_ms) {
  std::array<uint8_t, kRecordTimeSize> out;
  StoreBigEndian(static_cast<uint64_t>(time_ms.value_or(0)), out.data());
  return out;
}

}  // namespace

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
    out.reserve(kRecordTimeSize + payload.size());
    const auto time = RecordTime(time_ms);
    out.assign(time.begin(), time.end());
  }
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<NewEntry> Ledger::DecodeEntry(EntryFormat format, std::span<const uint8_t> entry) {
  if (format == EntryFormat::kRaw) return NewEntry{Bytes(entry.begin(), entry.end())};
  if (entry.size() < kRecordTimeSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "too short for a record-format entry (" + std::to_string(entry.size()) + " bytes)");
  }
  const auto time = static_cast<int64_t>(LoadBigEndian<uint64_t>(entry.data()));
  if (time < kMinTimeMs || time > kMaxTimeMs) {
    return Fail(ErrorCode::kInvalidArgument,
                "a record-format entry whose time is outside the years 0001 to 9999");
  }
  return NewEntry{Bytes(entry.begin() + kRecordTimeSize, entry.end()), time};
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

}  // namespace vellum

namespace vellum::storage {

int64_t CurrentTimeMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Hash EntryLeafHash(EntryFormat format, std::optional<int64_t> time_ms,
                   std::span<const uint8_t> payload) {
  if (format == EntryFormat::kRaw) return merkle::LeafHash(payload);
  return merkle::LeafHash(RecordTime(time_ms), payload);
}

namespace {

[[nodiscard]] Result<void> CheckRowFormat(const Stmt& row, int ts_col, uint64_t index,
                                          EntryFormat format) {
  const bool has_time = !row.IsNull(ts_col);
  if (has_time == (format == EntryFormat::kRecord)) return {};
  return Fail(ErrorCode::kCorruption, "entry " + std::to_string(index) +
                                          (has_time ? " has a time in a raw-format ledger"
                                                    : " has no time in a record-format ledger"));
}

}  // namespace

Result<Hash> LeafHashFromRow(const Stmt& row, int ts_col, int data_col, uint64_t index,
                             EntryFormat format) {
  if (auto ok = CheckRowFormat(row, ts_col, index, format); !ok) return std::unexpected(ok.error());
  std::optional<int64_t> time;
  if (format == EntryFormat::kRecord) time = row.Int(ts_col);
  return EntryLeafHash(format, time, row.Blob(data_col));
}

Result<Entry> EntryFromRow(const Stmt& row, int ts_col, int data_col, uint64_t index,
                           EntryFormat format) {
  if (auto ok = CheckRowFormat(row, ts_col, index, format); !ok) return std::unexpected(ok.error());
  Entry entry;
  entry.index = index;
  if (format == EntryFormat::kRecord) entry.time_ms = row.Int(ts_col);
  auto data = row.Blob(data_col);
  entry.payload.assign(data.begin(), data.end());
  entry.leaf_hash = EntryLeafHash(format, entry.time_ms, entry.payload);
  return entry;
}

}  // namespace vellum::storage
