#include "node/publish.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "common/decimal.h"
#include "common/plural.h"
#include "node/tile_path.h"
#include "vellum/checkpoint.h"

namespace vellum::node {
namespace {

namespace fs = std::filesystem;

Error IoError(const std::string& what, int err) {
  return Error(err == ENOSPC || err == EDQUOT ? ErrorCode::kNoSpace : ErrorCode::kIoError,
               what + ": " + std::strerror(err));
}

// Files under one folder, each written to a temporary name and renamed into place.
class FolderWriter {
 public:
  explicit FolderWriter(std::string dir) : dir_(std::move(dir)) {}

  [[nodiscard]] Result<void> Write(const std::string& rel, std::span<const uint8_t> bytes,
                                   bool sync = false) {
    const fs::path path = fs::path(dir_) / rel;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return Fail(ErrorCode::kIoError, path.parent_path().string() + ": " + ec.message());
    const std::string tmp = path.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return std::unexpected(IoError(tmp, errno));
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Abandon(fd, tmp, errno);
      done += static_cast<size_t>(n);
    }
    if (sync && ::fsync(fd) != 0) return Abandon(fd, tmp, errno);
    if (::close(fd) != 0) return Abandon(-1, tmp, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return Abandon(-1, tmp, errno);
    ++files_;
    bytes_ += bytes.size();
    return {};
  }
  // Everything written so far reaches the disk (one syncfs for the whole file system).
  [[nodiscard]] Result<void> SyncAll() {
    const int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return std::unexpected(IoError(dir_, errno));
    const int rc = ::syncfs(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return std::unexpected(IoError(dir_, err));
    return {};
  }
  uint64_t files() const { return files_; }
  uint64_t bytes() const { return bytes_; }

 private:
  std::unexpected<Error> Abandon(int fd, const std::string& tmp, int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return std::unexpected(IoError(tmp, err));
  }

  std::string dir_;
  uint64_t files_ = 0, bytes_ = 0;
};

[[nodiscard]] Result<Checkpoint> ParseNote(std::string_view note) {
  auto parsed = ParseSignedNote(note);
  if (!parsed) return std::unexpected(parsed.error());
  return ParseCheckpointBody(parsed->text);
}

// kConflict unless the first entry bundle in `dir` (the whole one, else its widest partial),
// if there is one, is `ledger`'s: a folder without a readable checkpoint is mended only when
// what it holds is this log's.
[[nodiscard]] Result<void> FirstBundleIsTheLedgers(Ledger& ledger, const std::string& dir) {
  const fs::path first = fs::path(dir) / "tile" / "entries" / "000";
  std::error_code ec;
  std::optional<fs::path> found;
  uint32_t width = 0;
  if (fs::is_regular_file(first, ec)) {
    found = first;
    width = kTileWidth;
  } else {
    for (fs::directory_iterator it(fs::path(first) += ".p", ec), end; !ec && it != end;
         it.increment(ec)) {
      const auto w = ParseDecimal(it->path().filename().string());
      if (w && *w > width && *w < kTileWidth) {
        width = static_cast<uint32_t>(*w);
        found = it->path();
      }
    }
  }
  if (!found) return {};
  auto head = ledger.GetHead();
  if (!head) return std::unexpected(head.error());
  std::optional<Bytes> ours;
  if (head->size >= width) {
    auto bytes = ReadEntryBundle(ledger, 0, width);
    if (!bytes) return std::unexpected(bytes.error());
    ours = std::move(*bytes);
  }
  std::ifstream in(*found, std::ios::binary);
  const std::string held((std::istreambuf_iterator<char>(in)), {});
  if (!ours || held.size() != ours->size() ||
      std::memcmp(held.data(), ours->data(), held.size()) != 0) {
    return Fail(ErrorCode::kConflict, dir + " holds entries that are not this ledger's (" +
                                          found->string() +
                                          "): it is another log's folder; nothing was written");
  }
  return {};
}

// The checkpoint already in `dir` (size 0 when there is none, or no folder yet), refused
// unless `dir` can be a folder and `ledger` has the same history up to that checkpoint. With
// Mend::kAltered, a checkpoint file that is no checkpoint at all counts as none (every file is
// read back and written again); one of another log is still refused.
[[nodiscard]] Result<Checkpoint> PublishedBefore(Ledger& ledger, const std::string& dir,
                                                 Mend mend) {
  if (auto ok = CheckPublishName(dir); !ok) return std::unexpected(ok.error());
  std::error_code ec;
  const fs::path path = fs::path(dir) / "checkpoint";
  if (!fs::exists(path, ec)) return Checkpoint{ledger.origin(), 0, merkle::EmptyRoot(), {}};
  std::ifstream in(path, std::ios::binary);
  std::string note(kMaxNoteSize + 1, '\0');
  in.read(note.data(), static_cast<std::streamsize>(note.size()));
  note.resize(static_cast<size_t>(in.gcount()));
  auto old = ParseNote(note);
  if (!old && mend == Mend::kAltered) {
    if (auto ok = FirstBundleIsTheLedgers(ledger, dir); !ok) return std::unexpected(ok.error());
    return Checkpoint{ledger.origin(), 0, merkle::EmptyRoot(), {}};
  }
  if (!old) {
    return Fail(ErrorCode::kConflict,
                path.string() + " is not a checkpoint (" + old.error().message() +
                    "): publish into an empty folder or a log's own (if this is the log's own "
                    "folder, --repair writes every file again from the ledger)");
  }
  if (old->origin != ledger.origin()) {
    return Fail(ErrorCode::kConflict,
                dir + " holds the log '" + old->origin + "', not '" + ledger.origin() + "'");
  }
  // Another log may have the same name: what the folder holds must be signed by this one's key.
  if (auto key = VerifierKey::Parse(ledger.verifier_key());
      key && !OpenCheckpoint(note, std::span(&*key, 1))) {
    return Fail(ErrorCode::kConflict,
                dir + " holds a checkpoint of '" + old->origin +
                    "' that this ledger's key did not sign (another log of that name): publish "
                    "into an empty folder or this log's own; nothing was written");
  }
  auto head = ledger.GetHead();
  if (!head) return std::unexpected(head.error());
  if (old->size > head->size) {
    return Fail(ErrorCode::kConflict, dir + " already holds " + Entries(old->size) +
                                          ", more than the ledger's " + std::to_string(head->size) +
                                          ": nothing was written");
  }
  auto root = ledger.RootAt(old->size);
  if (!root) return std::unexpected(root.error());
  if (*root != old->root) {
    return Fail(ErrorCode::kConflict, dir + " holds another history: its root at size " +
                                          std::to_string(old->size) +
                                          " is not the ledger's; nothing was written");
  }
  return old;
}

// Writes the tiles (level >= 0) or bundles (entries) that the tree of `size` has and the tree of
// `old_size` did not, and deletes the partial ones a new full tile makes redundant. Files in
// the way (left by a publish that stopped before its checkpoint) are overwritten. The tree of
// `size`'s files that the old tree had too are written again as `mend` says (counted in
// `restored`).
[[nodiscard]] Result<void> WriteTiles(Ledger& ledger, FolderWriter& out, const std::string& dir,
                                      bool entries, uint8_t level, uint64_t old_size, uint64_t size,
                                      Mend mend, uint64_t& restored,
                                      const std::atomic<bool>* cancel) {
  const uint64_t row = size >> (level * kTileHeight);
  const uint64_t old_row = old_size >> (level * kTileHeight);
  for (uint64_t n = mend != Mend::kNothing ? 0 : old_row / kTileWidth; n * kTileWidth < row; ++n) {
    if (cancel && cancel->load()) {
      return Fail(ErrorCode::kUnavailable, "publishing to " + dir + " was stopped");
    }
    const auto width = static_cast<uint32_t>(std::min<uint64_t>(kTileWidth, row - n * kTileWidth));
    const TilePath tile{.entries = entries, .level = level, .index = n, .width = width};
    const std::string rel = "tile/" + FormatTilePath(tile);
    std::error_code ec;
    // A tile the old tree already had whole was written before the old checkpoint was.
    const bool had = old_row >= n * kTileWidth + width;
    if (had && (mend == Mend::kNothing ||
                (mend == Mend::kMissing && fs::exists(fs::path(dir) / rel, ec)))) {
      continue;
    }
    auto bytes = entries ? ReadEntryBundle(ledger, n, width) : ledger.ReadTile(level, n, width);
    if (!bytes) return std::unexpected(bytes.error());
    if (had && mend == Mend::kAltered) {
      std::ifstream in(fs::path(dir) / rel, std::ios::binary);
      const std::string held((std::istreambuf_iterator<char>(in)), {});
      if (in && held.size() == bytes->size() &&
          std::memcmp(held.data(), bytes->data(), held.size()) == 0) {
        continue;
      }
    }
    if (had) ++restored;
    if (auto ok = out.Write(rel, *bytes); !ok) return ok;
    if (tile.full()) fs::remove_all(fs::path(dir) / (rel + ".p"), ec);
  }
  return {};
}

}  // namespace

Result<void> CheckPublishName(const std::string& dir) {
  if (dir.empty()) return Fail(ErrorCode::kInvalidArgument, "give a folder to publish into");
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return Fail(ErrorCode::kInvalidArgument, dir + " is not a folder: publish into a folder");
  }
  return {};
}

Result<void> CheckPublishFolder(Ledger& ledger, const std::string& dir, Mend mend) {
  auto old = PublishedBefore(ledger, dir, mend);
  if (!old) return std::unexpected(old.error());
  return {};
}

Result<PublishResult> Publish(Ledger& ledger, const std::string& checkpoint_note,
                              const std::string& dir, const std::atomic<bool>* cancel, Mend mend) {
  auto next = ParseNote(checkpoint_note);
  if (!next) return std::unexpected(next.error());
  if (next->origin != ledger.origin()) {
    return Fail(ErrorCode::kConflict,
                "the checkpoint is of '" + next->origin + "', not '" + ledger.origin() + "'");
  }
  auto root = ledger.RootAt(next->size);
  if (!root) return std::unexpected(root.error());
  if (*root != next->root) {
    return Fail(ErrorCode::kConflict,
                "the checkpoint's root is not the ledger's at size " + std::to_string(next->size));
  }
  auto old = PublishedBefore(ledger, dir, mend);
  if (!old) return std::unexpected(old.error());
  if (old->size > next->size) {
    return Fail(ErrorCode::kConflict, dir + " already holds " + Entries(old->size) +
                                          ", more than the " + std::to_string(next->size) +
                                          " of this checkpoint: nothing was written");
  }
  std::error_code ec;
  if (fs::create_directories(dir, ec); ec) {
    return Fail(ErrorCode::kIoError, "cannot make the folder " + dir + ": " + ec.message());
  }
  FolderWriter out(dir);
  uint64_t restored = 0;
  if (auto ok =
          WriteTiles(ledger, out, dir, true, 0, old->size, next->size, mend, restored, cancel);
      !ok) {
    return std::unexpected(ok.error());
  }
  for (uint8_t level = 0; level < 8 && (next->size >> (level * kTileHeight)) > 0; ++level) {
    if (auto ok = WriteTiles(ledger, out, dir, false, level, old->size, next->size, mend, restored,
                             cancel);
        !ok) {
      return std::unexpected(ok.error());
    }
  }
  // The checkpoint last, once every tile it needs is on disk.
  if (out.files() > 0) {
    if (auto ok = out.SyncAll(); !ok) return std::unexpected(ok.error());
  }
  const auto note =
      std::span(reinterpret_cast<const uint8_t*>(checkpoint_note.data()), checkpoint_note.size());
  if (auto ok = out.Write("checkpoint", note, true); !ok) return std::unexpected(ok.error());
  if (auto ok = out.SyncAll(); !ok) return std::unexpected(ok.error());
  return PublishResult{old->size, next->size, out.files(), out.bytes(), restored};
}

Publisher::Publisher(Ledger& ledger, std::string dir, int interval_ms,
                     std::function<Result<std::string>()> checkpoint, EventLog& log)
    : ledger_(ledger),
      dir_(std::move(dir)),
      checkpoint_(std::move(checkpoint)),
      log_(log),
      task_(interval_ms, PeriodicTask::First::kNow, [this] { PublishOnce(); }) {}

Publisher::~Publisher() { Stop(); }

void Publisher::PublishOnce() {
  auto note = checkpoint_();
  if (note && *note == last_note_) return;
  // A mirror before its first sync has nothing signed yet: nothing to say either.
  if (!note && note.error().code() == ErrorCode::kUnavailable) return;
  // The first publish of a node's life also writes again what is missing from the folder.
  auto published = note ? Publish(ledger_, *note, dir_, &task_.stopping(),
                                  last_note_.empty() ? Mend::kMissing : Mend::kNothing)
                        : Result<PublishResult>(std::unexpected(note.error()));
  if (!published && task_.stopping()) return;  // the node is stopping
  if (!published) {
    // Said once, until it changes or publishing works again.
    if (published.error().message() != last_error_) {
      last_error_ = published.error().message();
      log_.Event("publish", "publishing to " + dir_ + " failed (will retry): " + last_error_,
                 {{"dir", dir_}});
    }
    return;
  }
  last_error_.clear();
  last_note_ = *note;
  published_size_ = published->size;
  if (published->files_written > 1 || published->old_size != published->size) {
    log_.Event(
        "publish",
        "published " + Entries(published->size) + " to " + dir_ + " (" +
            std::to_string(published->files_written) + " files" +
            (published->files_restored > 0
                 ? ", " + std::to_string(published->files_restored) +
                       " of them missing from the folder and written again"
                 : "") +
            ")",
        {{"dir", dir_}, {"size", published->size}, {"files_restored", published->files_restored}});
  }
}

}  // namespace vellum::node
