#!/usr/bin/env python3
"""Lookups by leaf hash among entries not yet in a lookup run (storage/leaf_index.h).

    PYTHONPATH=build/python /usr/bin/python3 bench/lookup_bench.py [entries=65500] [lookups=400]

Makes a raw-format ledger of `entries` short payloads (fewer than 65,536: none of them in a run,
the slowest case) in a temporary folder, opens it afresh, and times Ledger.find of random
entries: the first lookup alone, then the median and range over five passes of the rest. To
compare two builds, run it with each one's PYTHONPATH, alternating.
"""

import random
import statistics
import sys
import tempfile
import time

import vellum


def main():
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 65500
    lookups = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    with tempfile.TemporaryDirectory(prefix="vellum-lookup-") as folder:
        run(folder + "/l.db", entries, lookups)


def run(path, entries, lookups):
    ledger = vellum.Ledger.create(path, origin="bench/lookup", format="raw", key=False)
    for start in range(0, entries, 5000):
        ledger.append_many(b"p%d" % i for i in range(start, min(start + 5000, entries)))
    ledger.close()
    ledger = vellum.Ledger.open(path)
    wanted = random.Random(1).sample(range(entries), lookups)
    hashes = [vellum.leaf_hash(b"p%d" % i) for i in wanted]
    t = time.perf_counter()
    if ledger.find(hashes[0]) != wanted[0]:
        sys.exit(f"lookup of entry {wanted[0]} found another entry")
    first = time.perf_counter() - t
    passes = []
    for _ in range(5):
        t = time.perf_counter()
        for i, h in zip(wanted[1:], hashes[1:]):
            if ledger.find(h) != i:
                sys.exit(f"lookup of entry {i} found another entry")
        passes.append((time.perf_counter() - t) / (lookups - 1))
    print(f"{entries} entries: first lookup {first * 1e3:.2f} ms, then "
          f"{statistics.median(passes) * 1e3:.3f} ms per lookup "
          f"[{min(passes) * 1e3:.3f}-{max(passes) * 1e3:.3f}]")
    ledger.close()


if __name__ == "__main__":
    main()
