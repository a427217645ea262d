// Publishing a ledger as a static C2SP tlog-tiles log: a folder of files that any web server,
// CDN or object store can serve, and that `vellum sync`, `compare` and other tlog-tiles clients
// read without a vellum node.
//
//   DIR/checkpoint                    the signed checkpoint, written last
//   DIR/tile/<L>/<N>[.p/<W>]          hash tiles, full and partial
//   DIR/tile/entries/<N>[.p/<W>]      entry bundles, full and partial
//
// Publishing again adds only what changed since the folder's checkpoint: full tiles and
// bundles are written once and never rewritten; partial ones are written beside the older
// partials (each is a different file), and a partial is deleted once its full tile exists,
// as the spec allows. Every file is written to a temporary name and renamed, and the tiles
// reach the disk before the checkpoint that needs them is renamed into place, so a reader sees
// the old log or the new one, never a checkpoint without its tiles.
#ifndef VELLUM_NODE_PUBLISH_H_
#define VELLUM_NODE_PUBLISH_H_

#include <atomic>
#include <functional>
#include <string>

#include "node/event_log.h"
#include "node/periodic_task.h"
#include "vellum/ledger.h"

namespace vellum::node {

struct PublishResult {
  uint64_t old_size = 0;  // the folder's checkpoint before (0 for a new folder)
  uint64_t size = 0;      // and after
  uint64_t files_written = 0;
  uint64_t bytes_written = 0;
  uint64_t files_restored = 0;  // of files_written: ones the folder should have had and lacked
                                // (or, mending kAltered, held with other bytes)
};

// What a publish mends of what the folder's checkpoint already covers: nothing (only what
// changed since is written), files that are missing (one stat each), or also files whose bytes
// are not the ledger's (each read back: as slow as publishing the whole log again).
enum class Mend { kNothing, kMissing, kAltered };

// Writes `ledger` as it is at `checkpoint_note` (a checkpoint of it, signed) into `dir`,
// creating the folder if needed. Refused, with the folder unchanged: a checkpoint of another
// origin or whose root is not the ledger's at its size (kConflict); a folder that holds
// another log or another history, or a larger tree (kConflict). When `cancel` becomes true it
// stops between two files (kUnavailable) without writing the checkpoint: the folder still
// shows its old log, and the next publish carries on. `mend` says what else it writes again
// of the files the new checkpoint needs: one missing (deleted by hand, lost to a disk), or also
// one altered in place.
[[nodiscard]] Result<PublishResult> Publish(Ledger& ledger, const std::string& checkpoint_note,
                                            const std::string& dir,
                                            const std::atomic<bool>* cancel = nullptr,
                                            Mend mend = Mend::kNothing);

// kInvalidArgument if `dir` is empty or names something other than a folder.
[[nodiscard]] Result<void> CheckPublishName(const std::string& dir);
// What Publish refuses about `dir` whatever the checkpoint, so that a caller can ask before it
// signs one: no name, a name that is not a folder (kInvalidArgument), a folder that holds
// another log, another history or more entries than `ledger` (kConflict); with `mend`
// kAltered, a checkpoint file that is not a checkpoint is not refused (Publish writes it again).
[[nodiscard]] Result<void> CheckPublishFolder(Ledger& ledger, const std::string& dir,
                                              Mend mend = Mend::kNothing);

// `vellum serve --publish DIR`: keeps `dir` current for a node. Every `interval_ms` it asks for
// the node's newest checkpoint and publishes it when it changed, the first time mending missing
// files (a node's start mends a folder that lost files); each publish, and each failure (retried
// next time), is one event line. Stop() (or the destructor) waits for a publish in progress.
class Publisher {
 public:
  Publisher(Ledger& ledger, std::string dir, int interval_ms,
            std::function<Result<std::string>()> checkpoint, EventLog& log);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;
  void Stop() { task_.Stop(); }
  // The size of the last checkpoint published, for /v1/status.
  uint64_t published_size() const { return published_size_; }

 private:
  void PublishOnce();

  Ledger& ledger_;
  const std::string dir_;
  std::function<Result<std::string>()> checkpoint_;
  EventLog& log_;
  std::string last_note_, last_error_;
  std::atomic<uint64_t> published_size_{0};
  PeriodicTask task_;  // last: it starts publishing at once
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_PUBLISH_H_
