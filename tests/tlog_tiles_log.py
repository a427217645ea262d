#!/usr/bin/env python3
"""A tlog-tiles log written from the C2SP specs alone, for tests: vellum reads it as a log it did
not write. Nothing here comes from vellum's code.

  c2sp.org/tlog-tiles       tiles, entry bundles, paths
  c2sp.org/tlog-checkpoint  the checkpoint body
  c2sp.org/signed-note      the signature line, key IDs, verifier keys
  RFC 6962 / RFC 9162       leaf and node hashes

Usage: tlog_tiles_log.py DIR ORIGIN SIZE [SIZE ...] [--fork-at K] [--drop-partials] [--extension]

Writes the log as it is at each SIZE in turn (a log that grows), each step adding its full tiles
and partial tiles and replacing the checkpoint, and prints the verifier key. Entry i is
b"entry <i>", empty when i % 97 == 5; with --fork-at K, entries from K on differ. Without
--drop-partials the partial tiles of earlier sizes stay; with it a partial tile is deleted once
its full tile exists, as the spec allows ("MAY omit any partial tile for which the corresponding
full tile is available"), so readers must fall back to the full one.
"""
import argparse
import base64
import hashlib
import os
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

TILE_HEIGHT = 8
WIDTH = 1 << TILE_HEIGHT


def entry(i, fork_at):
    if i % 97 == 5:
        return b""
    return (b"fork %d" if fork_at is not None and i >= fork_at else b"entry %d") % i


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def tree_root(hashes):
    """MTH (RFC 6962 section 2.1) of a list of leaf hashes, recursively: independent of tiles."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(tree_root(hashes[:k]), tree_root(hashes[k:]))


def levels(leaves):
    """levels[L] holds the hashes of the complete subtrees of height L, left to right."""
    out = [list(leaves)]
    while len(out[-1]) > 1:
        below = out[-1]
        out.append([node_hash(below[2 * i], below[2 * i + 1]) for i in range(len(below) // 2)])
    return out


def tile_index(n):
    digits = "%03d" % (n % 1000)
    n //= 1000
    while n > 0:
        digits = "x%03d/%s" % (n % 1000, digits)
        n //= 1000
    return digits


def tile_path(kind, n, width):
    path = "tile/%s/%s" % (kind, tile_index(n))
    return path if width == WIDTH else "%s.p/%d" % (path, width)


def write(root_dir, rel, data):
    path = os.path.join(root_dir, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def publish(root_dir, entries, tree, size, drop_partials):
    # Entry bundles: a big-endian uint16 length before each entry.
    for n in range((size + WIDTH - 1) // WIDTH):
        width = min(WIDTH, size - n * WIDTH)
        bundle = b"".join(len(e).to_bytes(2, "big") + e for e in entries[n * WIDTH:n * WIDTH + width])
        write(root_dir, tile_path("entries", n, width), bundle)
    # Hash tiles: tile level t holds the hashes of tree level 8t, 256 to a tile.
    t = 0
    while TILE_HEIGHT * t < len(tree) and (size >> (TILE_HEIGHT * t)) > 0:
        row = tree[TILE_HEIGHT * t][: size >> (TILE_HEIGHT * t)]
        for n in range((len(row) + WIDTH - 1) // WIDTH):
            width = min(WIDTH, len(row) - n * WIDTH)
            write(root_dir, tile_path(str(t), n, width), b"".join(row[n * WIDTH:n * WIDTH + width]))
        t += 1
    if drop_partials:  # the spec allows it once the full tile exists
        for dirpath, _, files in os.walk(os.path.join(root_dir, "tile")):
            if dirpath.endswith(".p") and os.path.isfile(dirpath[:-2]):
                for f in files:
                    os.remove(os.path.join(dirpath, f))


def signed_note(text, name, key):
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = hashlib.sha256(name.encode() + b"\n" + b"\x01" + pub).digest()[:4]
    sig = key.sign(text.encode())
    line = "\u2014 %s %s\n" % (name, base64.b64encode(key_id + sig).decode())
    vkey = "%s+%s+%s" % (name, key_id.hex(), base64.b64encode(b"\x01" + pub).decode())
    return text + "\n" + line, vkey


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("origin")
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--fork-at", type=int)
    parser.add_argument("--drop-partials", action="store_true")
    parser.add_argument("--extension", action="store_true",
                        help="add an extension line to the checkpoint body")
    args = parser.parse_args()
    # A fixed key, so that a log and its fork are signed alike.
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(args.origin.encode()).digest())
    name = args.origin.split("/")[0]
    everything = [entry(i, args.fork_at) for i in range(max(args.sizes))]
    leaves = [leaf_hash(e) for e in everything]
    tree = levels(leaves)
    vkey = None
    for size in args.sizes:
        publish(args.dir, everything, tree, size, args.drop_partials)
        root = tree_root(leaves[:size])
        body = "%s\n%d\n%s\n" % (args.origin, size, base64.b64encode(root).decode())
        if args.extension:
            body += "generated by tlog_tiles_log.py\n"
        note, vkey = signed_note(body, name, key)
        write(args.dir, "checkpoint", note.encode())
    print(vkey)


if __name__ == "__main__":
    sys.exit(main())
