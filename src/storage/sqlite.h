// A thin RAII layer over the SQLite C API that reports failures as vellum::Error.
// Not thread-safe: callers serialize use of one Db (Ledger holds a mutex).
#ifndef VELLUM_STORAGE_SQLITE_H_
#define VELLUM_STORAGE_SQLITE_H_

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "vellum/error.h"
#include "vellum/hash.h"

namespace vellum::storage {

class Db;

// An Error for the last failure on connection `db`, with `what` said first.
Error SqliteError(sqlite3* db, std::string_view what);

// One prepared statement. Bind with 1-based positions, Step() until it returns false.
class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept;
  ~Stmt() { sqlite3_finalize(stmt_); }

  Stmt& Bind(int pos, int64_t value);
  Stmt& Bind(int pos, std::span<const uint8_t> blob);
  Stmt& BindText(int pos, std::string_view text);
  // True when a row is ready, false when done; an error otherwise.
  [[nodiscard]] Result<bool> Step();
  // Runs to completion, for statements that return no rows.
  [[nodiscard]] Result<void> Run();
  // As Run, but leaves the parameters bound: for a statement run in a loop that binds every
  // parameter it uses each time (clearing them costs about 6% of an entry's insert). Reset
  // after the loop.
  [[nodiscard]] Result<void> RunKeepingBindings();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::span<const uint8_t> Blob(int col) const;
  std::string Text(int col) const;

 private:
  friend class Db;  // Db::Prepare constructs statements
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  // Opens an existing file (create=false) or creates a new one. Never creates on open.
  // `immutable` (read-only only): read the file as it is, without the -wal and -shm files a
  // WAL database otherwise needs, for a ledger in a directory or file the reader cannot write.
  [[nodiscard]] static Result<Db> Open(const std::string& path, bool create, bool read_only = false,
                                       bool immutable = false);
  Db(Db&& other) noexcept
      : db_(other.db_), path_(std::move(other.path_)), busy_(std::move(other.busy_)) {
    other.db_ = nullptr;
  }
  Db& operator=(Db&& other) noexcept;
  ~Db();

  [[nodiscard]] Result<void> Exec(const std::string& sql);
  // BEGIN IMMEDIATE, refused (and rolled back) when RefuseIfMoved refuses.
  [[nodiscard]] Result<void> BeginWrite();
  // kIoError when the file this connection opened was moved, deleted or replaced by another file
  // at its path since: what is written then would not reach the file at path() (and if it was
  // deleted, would be lost with the connection). Call it before writing outside BeginWrite.
  [[nodiscard]] Result<void> RefuseIfMoved();
  [[nodiscard]] Result<Stmt> Prepare(std::string_view sql);
  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

  // An Error for the last failure of this connection, with `what` said first.
  Error LastError(std::string_view what) const { return SqliteError(db_, what); }

  // While another connection holds the lock, waits up to `timeout_ms` (then SQLITE_BUSY), and
  // calls `on_wait` once if the wait passes a second, so a person is told why nothing happens.
  void SetBusyHandler(int timeout_ms, std::function<void()> on_wait);

 private:
  struct BusyState {
    int timeout_ms = 0;
    std::function<void()> on_wait;
    std::chrono::steady_clock::time_point started;
    bool told = false;
  };
  static int OnBusy(void* state, int count);

  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unique_ptr<BusyState> busy_;  // stable address for SQLite's callback
};

// For a write refused as read-only: "; <the file, its -wal or -shm, or the directory> is not
// writable (mode ...): ..." naming the first of them that is not, or "" if all are.
std::string ReadOnlyHint(const std::string& file);

// Maps an SQLite result code to a vellum error code.
ErrorCode CodeForSqlite(int rc);

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_SQLITE_H_
