// Durable batched appends, vellum beside raw SQLite, measured so that drift cannot land on one
// side. For each batch size, two files start equal (the same number of rows): a record-format
// ledger and a plain table of the same rows (idx INTEGER PRIMARY KEY, ts, data; STRICT; the
// ledger's pragmas; one transaction per batch; the C API with one prepared insert). Then, round
// by round, each side appends the same number of rows, the two taking turns batch by batch
// (alternating which goes first), so both files grow alike and a slow moment of the machine
// falls on both. Each round gives one ratio (vellum rows/s over raw rows/s); the median of the
// rounds and their range are the figures.
// Last, the bytes each file takes per entry.
//
//   build/bench/vellum_append [rounds, default 7] [batch sizes, default 100,1000,10000]
//                             [rows before the first round, default 200000]
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "storage/schema.h"
#include "vellum/ledger.h"

namespace {

using Clock = std::chrono::steady_clock;
using vellum::Bytes;
using vellum::Ledger;
using vellum::NewEntry;

constexpr size_t kPayload = 40;
constexpr int64_t kTimeMs = 1764000000000;

// A distinct 40-byte text payload for row `n`: what a log line or an event id might be.
void FillPayload(uint64_t n, uint8_t* out) {
  char buf[kPayload + 1];
  std::snprintf(buf, sizeof(buf), "event %020llu payload-pad--",
                static_cast<unsigned long long>(n));
  std::memcpy(out, buf, kPayload);
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "vellum_append: %s\n", what.c_str());
  std::exit(1);
}

// One side of a pair: appends `batches` batches of `batch` rows; returns the seconds it took.
class Side {
 public:
  virtual ~Side() = default;
  virtual double Append(size_t batch, size_t batches) = 0;
  virtual std::string path() const = 0;
  virtual void Close() = 0;
  uint64_t rows() const { return next_; }

 protected:
  uint64_t next_ = 0;  // rows appended so far; row n carries payload n
};

class VellumSide : public Side {
 public:
  explicit VellumSide(const std::string& path) {
    auto made = Ledger::Create(path, {.origin = "bench/append"});
    if (!made) Die(made.error().ToString());
    ledger_ = std::move(*made);
  }
  double Append(size_t batch, size_t batches) override {
    entries_.resize(batch, NewEntry{Bytes(kPayload), kTimeMs});
    const auto start = Clock::now();
    for (size_t b = 0; b < batches; ++b) {
      for (auto& e : entries_) FillPayload(next_++, e.payload.data());
      if (auto ok = ledger_->AppendBatch(entries_); !ok) Die(ok.error().ToString());
    }
    return std::chrono::duration<double>(Clock::now() - start).count();
  }
  std::string path() const override { return ledger_->path(); }
  void Close() override { ledger_.reset(); }

 private:
  std::unique_ptr<Ledger> ledger_;
  std::vector<NewEntry> entries_;
};

class RawSide : public Side {
 public:
  explicit RawSide(const std::string& path) : path_(path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) Die("cannot open " + path);
    Exec(vellum::storage::kConnectionPragmas);
    Exec("CREATE TABLE entries(idx INTEGER PRIMARY KEY, ts INTEGER, data ANY NOT NULL) STRICT");
    if (sqlite3_prepare_v2(db_, "INSERT INTO entries(idx, ts, data) VALUES (?, ?, ?)", -1, &insert_,
                           nullptr) != SQLITE_OK) {
      Die(sqlite3_errmsg(db_));
    }
  }
  ~RawSide() override { Close(); }
  double Append(size_t batch, size_t batches) override {
    uint8_t payload[kPayload];
    const auto start = Clock::now();
    for (size_t b = 0; b < batches; ++b) {
      Exec("BEGIN IMMEDIATE");
      for (size_t i = 0; i < batch; ++i, ++next_) {
        FillPayload(next_, payload);
        sqlite3_bind_int64(insert_, 1, static_cast<int64_t>(next_));
        sqlite3_bind_int64(insert_, 2, kTimeMs);
        sqlite3_bind_text(insert_, 3, reinterpret_cast<const char*>(payload), kPayload,
                          SQLITE_TRANSIENT);
        if (sqlite3_step(insert_) != SQLITE_DONE) Die(sqlite3_errmsg(db_));
        sqlite3_reset(insert_);
      }
      Exec("COMMIT");
    }
    return std::chrono::duration<double>(Clock::now() - start).count();
  }
  std::string path() const override { return path_; }
  void Close() override {
    sqlite3_finalize(insert_);
    insert_ = nullptr;
    if (db_) sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  void Exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Die(sqlite3_errmsg(db_));
  }
  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

struct Spread {
  double median = 0, low = 0, high = 0;
};

Spread SpreadOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v.front(), v.back()};
}

// Bytes of the file (its write-ahead log folded in by closing it) per row.
double BytesPerEntry(const std::string& path, uint64_t rows) {
  return static_cast<double>(std::filesystem::file_size(path)) / static_cast<double>(rows);
}

std::vector<size_t> ParseList(const char* text) {
  std::vector<size_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoul(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
  const std::vector<size_t> batches = ParseList(argc > 2 ? argv[2] : "100,1000,10000");
  const uint64_t prefill = argc > 3 ? std::stoull(argv[3]) : 200000;
  if (rounds < 1 || batches.empty()) Die("usage: vellum_append [rounds] [batch,...] [prefill]");

  std::string pattern = (std::filesystem::temp_directory_path() / "vellum-append-XXXXXX").string();
  if (!mkdtemp(pattern.data())) Die("cannot make a scratch folder");
  const std::string dir = pattern;

  std::printf(
      "Durable appends, 40-byte text payloads, record format, one transaction per batch.\n"
      "%d interleaved rounds per batch size after %llu rows on each side; ratio = vellum "
      "rows/s / raw SQLite rows/s, per round.\n\n",
      rounds, static_cast<unsigned long long>(prefill));
  std::printf("%8s %12s %12s %8s %16s %10s %10s %7s\n", "batch", "vellum/s", "raw/s", "ratio",
              "ratio range", "B/entry", "raw B/e", "size");
  for (size_t batch : batches) {
    VellumSide vellum(dir + "/vellum-" + std::to_string(batch) + ".db");
    RawSide raw(dir + "/raw-" + std::to_string(batch) + ".db");
    const size_t fill = std::max<size_t>(batch, 10000);
    for (uint64_t done = 0; done < prefill; done += fill) {
      vellum.Append(fill, 1);
      raw.Append(fill, 1);
    }
    // Rows per round: about a second of vellum appends, the same on both sides.
    size_t per_round = 1;
    while (vellum.Append(batch, per_round) < 1.0 && per_round < (1u << 20)) per_round *= 2;
    raw.Append(batch, (vellum.rows() - raw.rows()) / batch);  // the same rows on both sides

    std::vector<double> ratios, vellum_rates, raw_rates;
    for (int r = 0; r < rounds; ++r) {
      // Within a round the sides take turns batch by batch (vellum first, then raw first), so
      // that even a slow moment shorter than a round falls on both.
      double tv = 0, tr = 0;
      for (size_t b = 0; b < per_round; ++b) {
        if (b % 2 == 0) {
          tv += vellum.Append(batch, 1);
          tr += raw.Append(batch, 1);
        } else {
          tr += raw.Append(batch, 1);
          tv += vellum.Append(batch, 1);
        }
      }
      const double n = static_cast<double>(per_round * batch);
      vellum_rates.push_back(n / tv);
      raw_rates.push_back(n / tr);
      ratios.push_back(tr / tv);
    }
    const std::string vellum_path = vellum.path(), raw_path = raw.path();
    vellum.Close();
    raw.Close();
    if (vellum.rows() != raw.rows()) Die("the two sides hold different rows");
    const double bv = BytesPerEntry(vellum_path, vellum.rows());
    const double br = BytesPerEntry(raw_path, raw.rows());
    const Spread ratio = SpreadOf(ratios);
    char range[32];
    std::snprintf(range, sizeof(range), "%.2f-%.2f", ratio.low, ratio.high);
    std::printf("%8zu %12.0f %12.0f %7.2fx %16s %10.1f %10.1f %6.2fx\n", batch,
                SpreadOf(vellum_rates).median, SpreadOf(raw_rates).median, ratio.median, range, bv,
                br, bv / br);
    std::fflush(stdout);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
