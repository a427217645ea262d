#!/usr/bin/env python3
"""Fails when a source file includes a header from a layer above its own.

The layers, lowest first, are the ones CMakeLists.txt builds as libraries. A file may include
its own folder's headers and those of the folders listed for it; tests may include anything.
Usage: check_layers.py SOURCE_DIR
"""
import pathlib
import re
import sys

CORE = {"vellum", "common", "merkle", "checkpoint", "storage"}  # and witness, which uses them
ALLOWED = {
    "include/vellum": {"vellum"},
    "src/common": {"vellum", "common"},
    "src/merkle": {"vellum", "common", "merkle"},
    "src/checkpoint": {"vellum", "common", "checkpoint"},
    "src/storage": CORE,
    "src/witness": CORE | {"witness"},
    # Above the core, only its public headers (include/vellum) and common/.
    "src/net": {"vellum", "common", "net"},
    "src/node": {"vellum", "common", "net", "node"},
    "src/process": {"process"},
    "src/cli": {"vellum", "common", "net", "node", "process", "cli"},
    "src/testing": {"vellum", "testing"},
    # The extension module: the core's API, node's JSON, common's Printable.
    "python/src": {"vellum", "common", "node"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main(root: pathlib.Path) -> int:
    problems = []
    for folder, allowed in ALLOWED.items():
        for path in sorted((root / folder).glob("*")):
            if path.suffix not in (".h", ".cc") or path.stem.endswith("_test"):
                continue
            for header in INCLUDE.findall(path.read_text(encoding="utf-8")):
                layer = header.split("/")[0] if "/" in header else None
                if layer not in allowed:
                    problems.append(f"{path.relative_to(root)} includes \"{header}\": "
                                    f"{folder} may include only from {sorted(allowed)}")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) cross a layer; see the layers in CMakeLists.txt")
        return 1
    print("every include stays within its layer")
    return 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
