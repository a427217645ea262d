#include "storage/sqlite.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>

namespace vellum::storage {

ErrorCode CodeForSqlite(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
      return ErrorCode::kCorruption;
    case SQLITE_FULL:
      return ErrorCode::kNoSpace;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kUnavailable;
    case SQLITE_CONSTRAINT:
      return ErrorCode::kConflict;
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
      return ErrorCode::kInvalidArgument;
    default:
      return ErrorCode::kIoError;
  }
}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  std::swap(stmt_, other.stmt_);
  return *this;
}

Stmt& Stmt::Bind(int pos, int64_t value) {
  sqlite3_bind_int64(stmt_, pos, value);
  return *this;
}

Stmt& Stmt::Bind(int pos, std::span<const uint8_t> blob) {
  // A zero-length blob must still bind as a blob, not NULL.
  static const uint8_t kEmpty = 0;
  sqlite3_bind_blob64(stmt_, pos, blob.empty() ? &kEmpty : blob.data(), blob.size(),
                      SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindText(int pos, std::string_view text) {
  // As for blobs: a null pointer would bind NULL, so an empty string points at a real byte.
  static const char kEmpty = 0;
  sqlite3_bind_text64(stmt_, pos, text.empty() ? &kEmpty : text.data(), text.size(),
                      SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error err = SqliteError(sqlite3_db_handle(stmt_), "running a statement");
  sqlite3_reset(stmt_);
  return std::unexpected(std::move(err));
}

Result<void> Stmt::Run() {
  auto done = RunKeepingBindings();
  if (done) sqlite3_clear_bindings(stmt_);
  return done;
}

Result<void> Stmt::RunKeepingBindings() {
  while (true) {
    auto row = Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
  }
  sqlite3_reset(stmt_);
  return {};
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::span<const uint8_t> Stmt::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return {static_cast<const uint8_t*>(p), static_cast<size_t>(n)};
}

std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

namespace {

// What the system said when SQLite could not open a file ("unable to open database file" alone
// hides it), with what to do when the process is out of descriptors.
std::string SystemCause(sqlite3* db, int rc) {
  if ((rc & 0xff) != SQLITE_CANTOPEN && (rc & 0xff) != SQLITE_IOERR) return "";
  const int err = sqlite3_system_errno(db);
  if (err == 0) return "";
  std::string cause = " (" + std::string(std::strerror(err));
  if (err == EMFILE || err == ENFILE) {
    cause += ": each open ledger holds three; raise the limit (ulimit -n) or open fewer";
  }
  return cause + ")";
}

}  // namespace

Result<Db> Db::Open(const std::string& path, bool create, bool read_only, bool immutable) {
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (create) flags |= SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_NOMUTEX;
  std::string name = path;
  if (immutable) {  // a file: URI, with the characters URIs reserve escaped
    flags |= SQLITE_OPEN_URI;
    name = "file:";
    for (const char c : path) {
      if (c == '%' || c == '?' || c == '#') {
        char buf[4];
        std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
        name += buf;
      } else {
        name += c;
      }
    }
    name += "?immutable=1";
  }
  // SQLite would wait forever to open a FIFO, and read a device as an empty database.
  std::error_code ec;
  if (const auto type = std::filesystem::status(path, ec).type();
      !ec && type != std::filesystem::file_type::regular &&
      type != std::filesystem::file_type::not_found) {
    return Fail(ErrorCode::kInvalidArgument,
                path + (type == std::filesystem::file_type::directory
                            ? " is a directory, not a SQLite file"
                            : " is not a regular file (a pipe, device or socket), not a SQLite "
                              "file"));
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) + SystemCause(raw, rc) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    return Fail(rc == SQLITE_CANTOPEN ? ErrorCode::kNotFound : CodeForSqlite(rc),
                "cannot open " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(raw, 1);
  return Db(raw, path);
}

Db& Db::operator=(Db&& other) noexcept {
  std::swap(db_, other.db_);
  std::swap(path_, other.path_);
  std::swap(busy_, other.busy_);
  return *this;
}

void Db::SetBusyHandler(int timeout_ms, std::function<void()> on_wait) {
  busy_ = std::make_unique<BusyState>();
  busy_->timeout_ms = timeout_ms;
  busy_->on_wait = std::move(on_wait);
  sqlite3_busy_handler(db_, &Db::OnBusy, busy_.get());
}

int Db::OnBusy(void* state, int count) {
  auto& s = *static_cast<BusyState*>(state);
  const auto now = std::chrono::steady_clock::now();
  if (count == 0) {
    s.started = now;
    s.told = false;
  }
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - s.started).count();
  if (waited >= s.timeout_ms) return 0;
  if (!s.told && waited >= 1000 && s.on_wait) {
    s.told = true;
    s.on_wait();
  }
  const int64_t pause =
      std::min<int64_t>({int64_t{1} << std::min(count, 7), 100, s.timeout_ms - waited});
  std::this_thread::sleep_for(std::chrono::milliseconds(pause));
  return 1;
}

Db::~Db() { sqlite3_close_v2(db_); }  // _v2: statements may outlive us briefly

std::string ReadOnlyHint(const std::string& file) {
  // A write needs the file, its -wal and -shm (a reader may have left them read-only) and the
  // directory (to create them).
  const std::string dir = std::filesystem::path(file).parent_path().string();
  for (const std::string& p : {file, file + "-wal", file + "-shm", dir.empty() ? "." : dir}) {
    struct stat st;
    if (stat(p.c_str(), &st) == 0 && access(p.c_str(), W_OK) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return "; " + p + " is not writable (mode " + mode + "): make it writable (chmod u+w " + p +
             ")" +
             (p.ends_with("-shm") || p.ends_with("-wal")
                  ? ", or remove it while no process has the ledger open"
                  : "");
    }
  }
  return "";
}

Error SqliteError(sqlite3* db, std::string_view what) {
  int rc = sqlite3_extended_errcode(db);
  const char* file = sqlite3_db_filename(db, "main");
  std::string msg = std::string(what) + " in " + (file ? file : "?") + ": " + sqlite3_errmsg(db) +
                    SystemCause(db, rc);
  if ((rc & 0xff) == SQLITE_BUSY) msg += " (the file is locked by another connection)";
  if ((rc & 0xff) == SQLITE_READONLY && file) msg += ReadOnlyHint(file);
  return Error(CodeForSqlite(rc), msg);
}

Result<void> Db::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    if ((rc & 0xff) == SQLITE_READONLY) msg += ReadOnlyHint(path_);
    return Fail(CodeForSqlite(rc), path_ + ": " + msg);
  }
  return {};
}

Result<void> Db::BeginWrite() {
  if (auto ok = Exec("BEGIN IMMEDIATE"); !ok) return ok;
  if (auto ok = RefuseIfMoved(); !ok) {
    (void)Exec("ROLLBACK");
    return ok;
  }
  return {};
}

Result<void> Db::RefuseIfMoved() {
  int moved = 0;
  if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK || !moved) {
    return {};
  }
  return Fail(ErrorCode::kIoError,
              path_ +
                  " was moved, deleted or replaced since this handle opened it, so nothing was "
                  "written (it would not have reached the file at " +
                  path_ + "); open " + path_ + " again (restart the node) to write to it");
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(LastError("preparing a statement"));
  return Stmt(stmt);
}

}  // namespace vellum::storage
