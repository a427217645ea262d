"""``ledger`` of the original demonstration: a SQLite database per node, append-only.

``init_db(db_file)`` opens (or creates) a vellum ledger and returns a handle with ``close()``;
``add_record``, ``get_all_records`` and ``get_record_count`` take that handle.
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from typing import List, Optional, Tuple

import vellum

_TIMES = "compat_unhashed_times"
# Every compat database is a copy of one log, as the original's nodes were: one origin for all,
# so that vellum compares them (each still has its own signing key).
ORIGIN = "vellum.compat/ledger"


class Connection:
    """What ``init_db`` returns: the vellum ledger and the side table of unhashed record times."""

    def __init__(self, db_file: str):
        self.db_file = vellum._path(db_file, "db_file")
        if os.path.exists(self.db_file):
            self.ledger = vellum.Ledger.open(self.db_file)
        else:
            self.ledger = vellum.Ledger.create(self.db_file, origin=ORIGIN, format="raw")
        if self.ledger.format != "raw":
            self.ledger.close()
            raise vellum.InvalidArgument(
                f"{self.db_file} is a record-format ledger; the compat layer keeps raw-format ones")
        self._times = sqlite3.connect(self.db_file, isolation_level=None, timeout=10)
        self._times.execute(
            f"CREATE TABLE IF NOT EXISTS {_TIMES}(idx INTEGER PRIMARY KEY, timestamp TEXT NOT NULL)")

    def close(self) -> None:
        if self._times is not None:
            self._times.close()
            self._times = None
        self.ledger.close()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<vellum.compat.ledger.Connection {self.db_file!r}>"

    def _time_of(self, index: int) -> Optional[str]:
        row = self._times.execute(f"SELECT timestamp FROM {_TIMES} WHERE idx = ?", (index,)).fetchone()
        return row[0] if row else None


def init_db(db_file: str) -> Connection:
    """Opens the ledger at ``db_file``, creating it (and its signing key ``db_file.key``) if absent."""
    return Connection(db_file)


def add_record(conn: Connection, data) -> int:
    """Appends ``data`` (str or bytes); returns the record id (counting from 1)."""
    index = conn.ledger.append(data)
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")
    conn._times.execute(f"INSERT OR REPLACE INTO {_TIMES}(idx, timestamp) VALUES (?, ?)", (index, now))
    return index + 1


def get_all_records(conn: Connection) -> List[Tuple[int, Optional[str], str, str]]:
    """Every record as ``(id, timestamp, data, hash)``: id from 1, the unhashed ISO timestamp, the
    data (text, or hex when it is not UTF-8) and the entry's RFC 6962 leaf hash in hex."""
    times = dict(conn._times.execute(f"SELECT idx, timestamp FROM {_TIMES}").fetchall())
    out = []
    for entry in conn.ledger:
        text = entry.text
        out.append((entry.index + 1, times.get(entry.index), text if text is not None else entry.payload.hex(),
                    entry.leaf_hash.hex()))
    return out


def get_record_count(conn: Connection) -> int:
    return len(conn.ledger)
