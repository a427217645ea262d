#!/usr/bin/env python3
"""The Python package beside the C++ library it wraps, in the same run, interleaved.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [rounds=5] [entries per round=200000]

append: Ledger.append_many of short strings ("event <n>", 10,000 per transaction) vs the C++
library appending the same strings in the same batches (vellum._vellum._bench_append), each
into its own raw-format ledger, alternating which goes first; the two files hold the same rows
throughout. verify: Ledger.verify() vs the C++ Verify() on the same handle, alternating. Prints the median
ratio (Python rate / C++ rate) and its range.
"""

import statistics
import sys
import tempfile
import time

import vellum
from vellum import _vellum


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    per_round = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
    folder = tempfile.mkdtemp(prefix="vellum-pybench-")
    py_path, cpp_path = folder + "/py.db", folder + "/cpp.db"
    vellum.Ledger.create(py_path, origin="bench/py", format="raw", key=False).close()
    vellum.Ledger.create(cpp_path, origin="bench/cpp", format="raw", key=False).close()
    ledger = vellum.Ledger.open(py_path)
    append_ratios, verify_ratios = [], []
    n = 0
    for r in range(rounds):
        def python_side():
            t = time.perf_counter()
            ledger.append_many(f"event {i}" for i in range(n, n + per_round))
            return time.perf_counter() - t

        def cpp_side():
            t = time.perf_counter()
            _vellum._bench_append(cpp_path, n, per_round, 10000)
            return time.perf_counter() - t

        if r % 2 == 0:
            tp, tc = python_side(), cpp_side()
        else:
            tc, tp = cpp_side(), python_side()
        n += per_round
        append_ratios.append(tc / tp)

        def verify_python():
            t = time.perf_counter()
            assert ledger.verify().ok
            return time.perf_counter() - t

        def verify_cpp():
            t = time.perf_counter()
            assert _vellum._bench_verify(ledger._impl)
            return time.perf_counter() - t

        if r % 2 == 0:
            vp, vc = verify_python(), verify_cpp()
        else:
            vc, vp = verify_cpp(), verify_python()
        verify_ratios.append(vc / vp)
        print(f"round {r + 1}: append {per_round / tp:,.0f} vs {per_round / tc:,.0f} entries/s "
              f"({tc / tp:.2f}x), verify of {n:,} {vp:.2f} s vs {vc:.2f} s ({vc / vp:.2f}x)", flush=True)
    ledger.close()
    for name, ratios in (("append_many vs C++ AppendBatch", append_ratios), ("verify() vs C++ Verify()", verify_ratios)):
        print(f"{name}: median {statistics.median(ratios):.2f}x [{min(ratios):.2f}-{max(ratios):.2f}]")


if __name__ == "__main__":
    main()
