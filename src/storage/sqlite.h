// A thin RAII layer over the SQLite C API that reports failures as vellum::Error.
// Not thread-safe: callers serialize use of one Db (Ledger holds a mutex).
#ifndef VELLUM_STORAGE_SQLITE_H_
#define VELLUM_STORAGE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
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
  Result<bool> Step();
  // Runs to completion, for statements that return no rows.
  Result<void> Run();
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
  static Result<Db> Open(const std::string& path, bool create, bool read_only = false);
  Db(Db&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) { other.db_ = nullptr; }
  Db& operator=(Db&& other) noexcept;
  ~Db();

  Result<void> Exec(const std::string& sql);
  Result<Stmt> Prepare(std::string_view sql);
  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

  // An Error for the last failure of this connection, with `what` said first.
  Error LastError(std::string_view what) const { return SqliteError(db_, what); }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Maps an SQLite result code to a vellum error code.
ErrorCode CodeForSqlite(int rc);

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_SQLITE_H_
