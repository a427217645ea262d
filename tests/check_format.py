#!/usr/bin/env python3
"""Fails, naming the files, when a C++ file differs from what clang-format makes of it.

Usage: check_format.py CLANG_FORMAT SOURCE_DIR. Fix with: clang-format -i FILE...
"""
import pathlib
import re
import subprocess
import sys

FOLDERS = ("include", "src", "tests", "bench", "fuzz", "python")
VIOLATION = re.compile(r"^(.+?):\d+:\d+: (?:error|warning): code should be clang-formatted", re.M)


def main(clang_format: str, root: pathlib.Path) -> int:
    files = sorted(str(p.relative_to(root)) for folder in FOLDERS
                   for p in (root / folder).rglob("*")
                   if p.suffix in (".h", ".cc") and "testdata" not in p.parts)
    run = subprocess.run([clang_format, "--style=file", "--dry-run", "--ferror-limit=1", *files],
                         cwd=root, capture_output=True, text=True)
    differ = sorted(set(VIOLATION.findall(run.stderr)))
    if run.returncode != 0 and not differ:
        print(run.stderr)
        return 1
    for name in differ:
        print(f"not clang-formatted: {name}")
    if differ:
        print(f"{len(differ)} of {len(files)} files differ; run: clang-format -i " +
              " ".join(differ))
        return 1
    print(f"all {len(files)} files are clang-formatted")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], pathlib.Path(sys.argv[2])))
