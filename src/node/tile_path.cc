#include "node/tile_path.h"

#include <vector>

#include "common/coding.h"
#include "common/decimal.h"
#include "common/plural.h"

namespace vellum::node {
namespace {

std::unexpected<Error> Bad(std::string_view path, const char* why) {
  return Fail(ErrorCode::kInvalidArgument, "bad tile path '" + std::string(path) + "': " + why);
}

bool IsThreeDigits(std::string_view s) {
  return s.size() == 3 && std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::isdigit(static_cast<unsigned char>(s[1])) &&
         std::isdigit(static_cast<unsigned char>(s[2]));
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t slash; (slash = s.find('/', start)) != std::string_view::npos; start = slash + 1) {
    out.push_back(s.substr(start, slash - start));
  }
  out.push_back(s.substr(start));
  return out;
}

}  // namespace

std::string EncodeTileIndex(uint64_t index) {
  std::string digits = std::to_string(index);
  while (digits.size() % 3 != 0) digits.insert(digits.begin(), '0');
  std::string out;
  for (size_t i = 0; i < digits.size(); i += 3) {
    if (i + 3 < digits.size()) out += "x";
    out += digits.substr(i, 3);
    if (i + 3 < digits.size()) out += "/";
  }
  return out;
}

std::string FormatTilePath(const TilePath& tile) {
  std::string out = tile.entries ? "entries" : std::to_string(tile.level);
  out.append("/").append(EncodeTileIndex(tile.index));
  if (!tile.full()) out.append(".p/").append(std::to_string(tile.width));
  return out;
}

Result<TilePath> ParseTilePath(std::string_view path) {
  auto parts = Split(path);
  TilePath tile;
  // A partial tile ends in ".p/<W>": the last element is W, the one before ends in ".p".
  if (parts.size() >= 3 && parts[parts.size() - 2].ends_with(".p")) {
    auto width = ParseDecimal(parts.back());
    if (!width || *width < 1 || *width >= kTileWidth) {
      return Bad(path, "partial width must be 1..255, without leading zeros");
    }
    tile.width = static_cast<uint32_t>(*width);
    parts.pop_back();
    parts.back().remove_suffix(2);
  }
  if (parts.size() < 2) return Bad(path, "want <level>/<index>");
  if (parts[0] == "entries") {
    tile.entries = true;
  } else {
    // Tile level L holds tree level 8L; a tree of at most 2^64 entries has tiles up to level 7.
    auto level = ParseDecimal(parts[0]);
    if (!level || *level > 7) return Bad(path, "level must be 0..7");
    tile.level = static_cast<uint8_t>(*level);
  }
  uint64_t index = 0;
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view group = parts[i];
    const bool last = i + 1 == parts.size();
    if (!last) {
      if (!group.starts_with('x')) return Bad(path, "index groups but the last start with 'x'");
      group.remove_prefix(1);
    }
    if (!IsThreeDigits(group)) return Bad(path, "index groups are three digits");
    if (i == 1 && !last && group == "000") return Bad(path, "index has a leading zero group");
    if (index > (UINT64_MAX - 999) / 1000) return Bad(path, "index too large");
    index = index * 1000 + static_cast<uint64_t>(std::stoi(std::string(group)));
  }
  // Tile N at level L starts at entry N * 256^(L+1), which must be below 2^64.
  const unsigned bits = 56 - 8 * (tile.entries ? 0u : tile.level);
  if (bits < 64 && (index >> bits) != 0) {
    return Bad(path, "index lies beyond the largest possible tree (2^64 entries)");
  }
  tile.index = index;
  return tile;
}

}  // namespace vellum::node

namespace vellum::node {

Result<Bytes> ReadEntryBundle(Ledger& ledger, uint64_t bundle, uint32_t width) {
  const uint64_t first = bundle * kTileWidth;
  auto head = ledger.GetHead();
  if (!head) return std::unexpected(head.error());
  if (first + width > head->size) {
    return Fail(ErrorCode::kNotFound,
                "entry bundle " +
                    FormatTilePath({.entries = true, .index = bundle, .width = width}) +
                    " is not complete yet");
  }
  auto entries = ledger.GetRange(first, first + width);
  if (!entries) return std::unexpected(entries.error());
  Bytes out;
  for (const Entry& e : *entries) {
    AppendBundleEntry(out, Ledger::EncodeEntry(ledger.format(), e.time_ms, e.payload));
  }
  return out;
}

void AppendBundleEntry(Bytes& bundle, std::span<const uint8_t> entry) {
  AppendBigEndian(bundle, static_cast<uint16_t>(entry.size()));
  bundle.insert(bundle.end(), entry.begin(), entry.end());
}

Result<std::vector<Bytes>> ParseEntryBundle(std::span<const uint8_t> bundle, uint64_t count) {
  std::vector<Bytes> entries;
  size_t at = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (bundle.size() - at < 2) {
      return Fail(ErrorCode::kVerificationFailed,
                  "entry bundle is truncated: " + std::to_string(i) + " of " + Entries(count));
    }
    const size_t len = LoadBigEndian<uint16_t>(&bundle[at]);
    at += 2;
    if (bundle.size() - at < len) {
      return Fail(ErrorCode::kVerificationFailed,
                  "entry bundle is truncated inside entry " + std::to_string(i));
    }
    entries.emplace_back(bundle.begin() + at, bundle.begin() + at + len);
    at += len;
  }
  if (at != bundle.size()) {
    return Fail(ErrorCode::kVerificationFailed, "entry bundle has " +
                                                    std::to_string(bundle.size() - at) +
                                                    " bytes after its " + Entries(count));
  }
  return entries;
}

}  // namespace vellum::node
