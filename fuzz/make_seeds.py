#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/. Run from anywhere: python3 fuzz/make_seeds.py.

Seeds are valid inputs (and near misses) for each target, so the fuzzers start from the
interesting parts of each format instead of discovering them byte by byte.
"""
import base64
import hashlib
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent / "corpus"


def write(target, name, data):
    path = HERE / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


# checkpoint: the published C2SP signed-note example, a checkpoint, odd notes.
TEXT = ("If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n")
SIG = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXg"
       "KvqfqdngotpRZb6KE6RyyBwJnAM=\n")
write("checkpoint", "published_note", TEXT + "\n" + SIG)
write("checkpoint", "two_signatures", TEXT + "\n" + SIG + SIG.replace("PeterNeumann", "other"))
ROOT = base64.b64encode(hashlib.sha256(b"").digest()).decode()
BODY = "example.com/log\n8\n" + ROOT + "\n"
write("checkpoint", "checkpoint_body", BODY)
write("checkpoint", "checkpoint_extension", BODY + "extension line\n")
write("checkpoint", "checkpoint_note", BODY + "\n" + SIG.replace("PeterNeumann", "example.com/log"))
write("checkpoint", "verifier_key", "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
write("checkpoint", "ascii_dash", TEXT + "\n- PeterNeumann AAAAAAAA\n")
write("checkpoint", "empty_lines", "\n\n")
write("checkpoint", "dash_only", "\u2014 \n\n\u2014 a b\n")
write("checkpoint", "nul", "\0\0\0")


# proof: genuine RFC 6962 proofs over the fuzz target's tree (leaf i = 2-byte big-endian i).
def leaf(i):
    return hashlib.sha256(b"\0" + struct.pack(">H", i)).digest()


def node(l, r):
    return hashlib.sha256(b"\1" + l + r).digest()


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d):
    if len(d) == 1:
        return d[0]
    k = split(len(d))
    return node(mth(d[:k]), mth(d[k:]))


def path(m, d):
    if len(d) == 1:
        return []
    k = split(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    if m == len(d):
        return [] if b else [mth(d)]
    k = split(len(d))
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


LEAVES = [leaf(i) for i in range(300)]
for index, size in [(0, 1), (5, 8), (7, 13), (255, 256), (299, 300), (100, 257)]:
    # mode 0: inclusion in tree; a = size - 1 (target adds 1), b = index
    write("proof", f"inclusion_{index}_{size}",
          bytes([0]) + struct.pack("<QQ", size - 1, index) + b"".join(path(index, LEAVES[:size])))
for old, new in [(1, 2), (3, 7), (4, 8), (6, 300), (256, 300), (299, 300)]:
    write("proof", f"consistency_{old}_{new}",
          bytes([1]) + struct.pack("<QQ", new, old) + b"".join(subproof(old, LEAVES[:new], True)))
write("proof", "huge_sizes", bytes([3]) + struct.pack("<QQ", 2**63, 2**64 - 1) + bytes(64))
write("proof", "short_element", bytes([0]) + struct.pack("<QQ", 7, 3) + bytes(33))

# tile_path: canonical paths of every kind.
for p in ["0/000", "0/x001/x234/067", "1/000.p/7", "63/999", "entries/000", "entries/x001/234.p/255",
          "entries/x999/x999/x999/x999/x999/x999/999", "0/001.p/256", "01/000"]:
    write("tile_path", p.replace("/", "_"), p)

# entry_bundle: count byte (count - 1), then the bundle.
def bundle(entries):
    return b"".join(struct.pack(">H", len(e)) + e for e in entries)

write("entry_bundle", "one_empty", bytes([0]) + bundle([b""]))
write("entry_bundle", "three", bytes([2]) + bundle([b"a", b"bc", b"\0" * 40]))
write("entry_bundle", "full", bytes([255]) + bundle([struct.pack(">H", i) for i in range(256)]))
write("entry_bundle", "truncated", bytes([1]) + bundle([b"abc"]) + b"\0")
write("entry_bundle", "trailing", bytes([0]) + bundle([b"abc"]) + b"x")

# append_body: the documented request bodies and near misses.
for name, body in {
    "text": '{"data": "hello"}',
    "hex": '{"data_hex": "00ff10"}',
    "time": '{"data": "x", "time_ms": 1700000000000}',
    "iso_time": '{"data": "x", "time": "2026-11-25T09:00:00.123Z"}',
    "impossible_time": '{"data": "x", "time": "2026-02-30T00:00:00Z"}',
    "huge_time": '{"data": "x", "time_ms": 18446744073709551615}',
    "empty": '{"data": ""}',
    "list": '{"entries": [{"data": "a"}, {"data_hex": "62"}, {"data": "c", "time_ms": 5}]}',
    "empty_list": '{"entries": []}',
    "bad_hex": '{"data_hex": "0g"}',
    "both": '{"data": "a", "data_hex": "61"}',
    "negative_time": '{"data": "a", "time_ms": -1}',
    "float_time": '{"data": "a", "time_ms": 1.5}',
    "nested": '{"entries": [[{"data": "a"}]]}',
    "unicode": '{"data": "caf\\u00e9 \\ud83d\\ude00"}',
}.items():
    write("append_body", name, body)

# node_request: one of each route, valid and not.
for i, req in enumerate([
    "GET /checkpoint\n", "GET /tile/0/000\n", "GET /tile/0/001.p/44\n", "GET /tile/1/000.p/1\n",
    "GET /tile/entries/000\n", "GET /tile/entries/001.p/44\n", "GET /tile/entries/002\n",
    "GET /tile/0/x001/000\n", 'POST /v1/entries\n{"data": "hello"}',
    'POST /v1/entries\n{"entries": [{"data": "a"}, {"data_hex": "62"}]}',
    "POST /v1/entries\nnot json", "GET /v1/entries?start=5&end=9\n",
    "GET /v1/entries?start=9&end=5\n", "GET /v1/entries/7\n", "GET /v1/entries/99999999999999999999\n",
    "GET /v1/lookup/" + leaf(3).hex() + "\n", "GET /v1/lookup/00\n",
    "GET /v1/proof/inclusion?index=3&size=10\n", "GET /v1/proof/inclusion?index=10&size=10\n",
    "GET /v1/proof/consistency?old=3&new=300\n", "GET /v1/proof/consistency?old=301\n",
    "GET /v1/subtrees?nodes=0-0,8-0,3-5\n", "GET /v1/subtrees?nodes=64-0\n",
    "GET /v1/status\n", "GET /v1/network\n", "GET /metrics\n", "GET /nowhere\n",
    "GET /v1/proof/inclusion?index=%33&size=1%30\n",
]):
    write("node_request", f"request_{i:02d}", req)


# witness: a policy, a tlog-proof receipt and an add-checkpoint request (C2SP tlog-policy,
# tlog-proof, tlog-witness), with the keys and the cosigned note of src/witness/witness_test.cc.
LOG_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
WITNESS_VKEY = "witness.example.com/w1+8561c71e+BHm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk"
COSIGNED = ("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
            "\u2014 witness.example.com/w1 hWHHHgAAAABkGFDLQB2dbiQ7rPMIDjq/twq5Ixt42T+awjiYS4+fxrnLnI31"
            "x5abVjZlhDVvZAcRRLyAiG4oQlhTgi4DsxiPwiDaDg==\n")
write("witness", "policy", "# comment\nlog " + LOG_VKEY + " https://log.example\n"
      "witness W1 " + WITNESS_VKEY + " https://w1.example\n"
      "group g any W1\ngroup h all g W1\nquorum h\n")
write("witness", "policy_none", "quorum none\n")
write("witness", "policy_witness", "witness W1 " + WITNESS_VKEY + "\nquorum W1\n")
HASH = base64.b64encode(hashlib.sha256(b"x").digest()).decode()
write("witness", "tlog_proof", "c2sp.org/tlog-proof@v1\nextra AQID\nindex 5\n" + HASH + "\n" +
      HASH + "\n\n" + COSIGNED)
write("witness", "tlog_proof_plain", "c2sp.org/tlog-proof@v1\nindex 0\n\n" + COSIGNED)
write("witness", "add_checkpoint", "old 20852014\n" + HASH + "\n" + HASH + "\n\n" + COSIGNED)
write("witness", "add_checkpoint_zero", "old 0\n\n" + COSIGNED)
