#!/usr/bin/env python3
"""Which tables the pages of a durable append belong to: the WAL frames of each commit, by owner.

    PYTHONPATH=build/python /usr/bin/python3 bench/wal_pages.py [rows per transaction=1000]

Appends 40-byte payloads to a record-format ledger in transactions of the given size (past
200,000 rows), copies the WAL while the ledger is open, reads each frame's page number and the
commits they make up, and names each page's owner with SQLite's dbstat table. Prints the
frames per commit and, per owner, the pages a commit writes on average (the first commit in the
WAL left out: it may have begun before the copy's window). A commit that closes a lookup run
(every 65,536 entries) writes the run's pages; the average includes whichever the window holds.
"""

import collections
import shutil
import sqlite3
import struct
import sys
import tempfile

import vellum


def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory(prefix="vellum-wal-") as folder:
        path = folder + "/l.db"
        ledger = vellum.Ledger.create(path, "bench.example/wal", key=False)
        n = 0
        while n < 200000 + 7 * batch:
            ledger.append_many(("event %020d payload-pad--" % (n + i))[:40] for i in range(batch))
            n += batch
        shutil.copy(path + "-wal", folder + "/copy.wal")
        ledger.close()
        commits = read_commits(open(folder + "/copy.wal", "rb").read())
        owner = dict(sqlite3.connect(path).execute(
            "SELECT pageno, name || ':' || pagetype FROM dbstat"))
    if len(commits) < 2:
        sys.exit("fewer than two commits in the WAL: give a smaller batch")
    counted = commits[1:]
    print(f"{batch} rows per transaction: {len(counted)} commits, "
          f"{sum(map(len, counted)) / len(counted):.1f} frames per commit")
    pages = collections.Counter(owner.get(p, "freelist/other") for c in counted for p in c)
    for name, count in pages.most_common():
        print(f"{count / len(counted):8.2f}  {name}")


def read_commits(wal):
    """The page numbers of each commit's frames, in WAL order (frames of the live salt only)."""
    page_size = struct.unpack(">I", wal[8:12])[0]
    salt = wal[16:24]
    commits, frames, at = [], [], 32
    while at + 24 + page_size <= len(wal):
        page, commit_size = struct.unpack(">II", wal[at:at + 8])
        if wal[at + 8:at + 16] != salt:
            break
        frames.append(page)
        if commit_size:
            commits.append(frames)
            frames = []
        at += 24 + page_size
    return commits


if __name__ == "__main__":
    main()
