"""``merkle`` of the original demonstration, with RFC 6962 hashing.

Hashes are hex strings. ``compute_merkle_root`` and ``get_merkle_path`` take leaf hashes (as
``get_all_records`` gives them) and compute the RFC 6962 root and RFC 9162 inclusion path, the
same values ``vellum root`` and ``vellum prove`` give for the ledger.
"""

from __future__ import annotations

import hashlib
from typing import List, Sequence

import vellum
from vellum import _vellum


def sha256(text) -> str:
    """Plain SHA-256 of ``text`` (str as UTF-8, or bytes), in hex."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    return hashlib.sha256(text).hexdigest()


def _leaves(hex_hashes: Sequence[str]) -> List[bytes]:
    out = []
    for h in hex_hashes:
        try:
            b = bytes.fromhex(h)
        except (TypeError, ValueError):
            raise vellum.InvalidArgument(f"not a hex hash: {h!r}") from None
        if len(b) != 32:
            raise vellum.InvalidArgument(f"a hash is 64 hex digits: {h!r}")
        out.append(b)
    return out


def _root(leaves: List[bytes]) -> bytes:
    # MTH(D[n]): fold the perfect subtrees of the binary decomposition of n, right to left.
    if not leaves:
        return hashlib.sha256(b"").digest()
    stack: List[tuple] = []  # (height, hash) of perfect subtrees, left to right
    for leaf in leaves:
        height, node = 0, leaf
        while stack and stack[-1][0] == height:
            node = _vellum.node_hash(stack.pop()[1], node)
            height += 1
        stack.append((height, node))
    root = stack.pop()[1]
    while stack:
        root = _vellum.node_hash(stack.pop()[1], root)
    return root


def compute_merkle_root(hex_hashes: Sequence[str]) -> str:
    """RFC 6962 root over these leaf hashes (hex); the empty tree's root for none."""
    return _root(_leaves(hex_hashes)).hex()


def merkle_root(conn) -> str:
    """The root of the ledger behind ``conn`` (from ``init_db``), in hex."""
    return conn.ledger.root().hex()


def compare_merkle_roots(root_a: str, root_b: str) -> bool:
    return str(root_a).lower() == str(root_b).lower()


def _path(leaves: List[bytes], m: int) -> List[bytes]:
    # RFC 9162 2.1.3.1 PATH(m, D[n]), leaf side first.
    n = len(leaves)
    if n <= 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return _path(leaves[:k], m) + [_root(leaves[k:])]
    return _path(leaves[k:], m - k) + [_root(leaves[:k])]


def get_merkle_path(hex_hashes: Sequence[str], index: int) -> List[str]:
    """The inclusion path of leaf ``index`` (from 0) in the tree over these leaf hashes, in hex."""
    leaves = _leaves(hex_hashes)
    if not 0 <= index < len(leaves):
        raise vellum.NotFound(f"no leaf {index} among {len(leaves)}")
    return [h.hex() for h in _path(leaves, index)]
